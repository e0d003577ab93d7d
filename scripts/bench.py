"""`make bench`: speed and memory of clinicbot on this machine, written to docs/benchmarks.md.

Measured in one run, medians and ratios from the same run:
- POST /api/v1/ask over HTTP (a real `clinicbot serve`, keep-alive), unique questions: p50, p99;
- the service's own bare query embedding of the same questions (ONNX), and a plain
  sentence-transformers PyTorch `encode` of them;
- a repeated identical question (served from the cache);
- full index build of the corpus, of a synthetic 1,000-article corpus, and the incremental
  rebuild after adding one post to it;
- the server's peak memory (VmHWM of the worker and the master).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BIN = Path(sys.executable).parent

TOPICS = ["dry needling", "trigger points", "carpal tunnel", "back pain", "Meniere's disease", "fibromyalgia",
          "home exercises", "manual therapy", "vertigo", "sciatica", "a wrist splint", "e-stim", "posture",
          "tinnitus", "muscle knots", "balance training", "heat and ice", "my grip strength", "core strength",
          "the median nerve"]
FORMS = ["what is {}?", "does {} hurt?", "how can {} help me", "is {} safe for older adults?", "tell me about {}",
         "how long does {} take to work", "can physical therapy help with {}?", "what causes {}",
         "should I worry about {}", "how often should I do {}", "{} at night", "is {} covered", "{} after surgery?",
         "my doctor mentioned {}, what is that", "can {} come back?"]


def unique_questions(n: int) -> list[str]:
    questions = [form.format(topic) for topic in TOPICS for form in FORMS]
    random.Random(7).shuffle(questions)
    return questions[:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not become healthy")


def peak_memory_mb(pid: int) -> dict:
    """VmHWM (peak resident set) of the gunicorn master and its workers."""
    found = {}
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    for label, p in [("master", pid)] + [(f"worker {i + 1}", int(c)) for i, c in enumerate(children)]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                found[label] = int(line.split()[1]) / 1024
    return found


def ask_latencies(port: int, questions: list[str], inside_app: list[float] | None = None) -> list[float]:
    """Round-trip seconds per question; `inside_app` collects the app's own Server-Timing."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for q in questions:
        body = json.dumps({"question": q})
        start = time.perf_counter()
        conn.request("POST", "/api/v1/ask", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        timings.append(time.perf_counter() - start)
        assert response.status == 200, response.status
        if inside_app is not None:
            inside_app.append(float(response.headers["Server-Timing"].split("dur=")[1]) / 1000)
    conn.close()
    return timings


def embed_timings(encode, questions: list[str], pause: float = 0.0) -> list[float]:
    """Seconds per call; `pause` seconds between calls, as between a server's requests."""
    timings = []
    for q in questions:
        time.sleep(pause)
        start = time.perf_counter()
        encode(q)
        timings.append(time.perf_counter() - start)
    return timings


def synthetic_corpus(target: Path, articles: int) -> None:
    """Articles stitched from the demo corpus's sentences, so text and lengths are realistic."""
    from clinicbot.chunk import chunk
    from clinicbot.parse import SUFFIXES, parse_file

    sentences = [s for p in sorted(CORPUS.iterdir()) if p.suffix in SUFFIXES
                 for c in chunk(parse_file(p)) for s in c.sentences]
    rng = random.Random(11)
    target.mkdir(parents=True)
    shutil.copy(CORPUS / "clinic.toml", target / "clinic.toml")
    for n in range(articles):
        body = "\n\n".join(f"## Part {k + 1}\n\n" + " ".join(rng.sample(sentences, 4)) for k in range(3))
        (target / f"post-{n:04d}.md").write_text(f"---\ntitle: Synthetic post {n}\n---\n\n{body}\n")


def timed_build(corpus: Path, index: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([BIN / "clinicbot", "build", "--corpus", corpus, "--index", index],
                         capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out.strip().splitlines()[-1]


def in_process_build_seconds(corpus: Path, previous_root: Path | None) -> float:
    """The build step alone (parse, chunk, embed, assemble), without process start and model load."""
    from clinicbot import publish
    from clinicbot.build import build
    from clinicbot.clinic import load_clinic
    from clinicbot.embed import get_embedder
    from clinicbot.index import Index

    embedder = get_embedder("", "onnx", str(ROOT / "var" / "model-cache"))
    previous = Index.load(publish.current(previous_root)) if previous_root else None
    start = time.perf_counter()
    build(corpus, embedder, previous, base_url=load_clinic(corpus / "clinic.toml").website)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default="var/index")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    questions = unique_questions(args.questions)
    rows: list[tuple[str, str]] = []

    port = free_port()
    server = subprocess.Popen([BIN / "clinicbot", "serve", "--index", args.index, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(port)
        ask_latencies(port, ["warm up question number %d" % i for i in range(30)])
        app_times: list[float] = []
        ask_times = ask_latencies(port, questions, app_times)
        repeat_times = ask_latencies(port, [questions[0]] * 100)
        memory = peak_memory_mb(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from sentence_transformers import SentenceTransformer
    from clinicbot.embed import bundled_model_path, get_embedder

    service = get_embedder("", "onnx", str(ROOT / "var" / "model-cache"))
    embed_timings(service.embed_one, questions[:30])
    onnx_times = embed_timings(service.embed_one, questions)
    # Back to back, ONNX Runtime's worker threads are still spinning from the previous call;
    # between real requests they have gone to sleep and must be woken.
    paced_times = embed_timings(service.embed_one, questions, pause=0.001)
    torch_model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    encode = lambda q: torch_model.encode(q, normalize_embeddings=True)  # noqa: E731
    embed_timings(encode, questions[:30])
    torch_times = embed_timings(encode, questions)

    ms = lambda values, q=0.5: percentile(values, q) * 1000  # noqa: E731
    p50, p99 = ms(ask_times), ms(ask_times, 0.99)
    rows += [
        ("POST /api/v1/ask over HTTP, unique questions: p50", f"{p50:.2f} ms"),
        ("POST /api/v1/ask over HTTP, unique questions: p99", f"{p99:.2f} ms"),
        ("  of which inside the app (Server-Timing): p50", f"{ms(app_times):.2f} ms"),
        ("POST /api/v1/ask, a repeated question (cache): p50", f"{ms(repeat_times):.2f} ms"),
        ("bare query embedding, the service's ONNX backend: p50", f"{ms(onnx_times):.2f} ms"),
        ("same, with a 1 ms pause between queries (as between requests): p50", f"{ms(paced_times):.2f} ms"),
        ("plain sentence-transformers PyTorch encode: p50", f"{ms(torch_times):.2f} ms"),
        ("ask p50 / bare embedding p50 (target ≤ 1.2)", f"{p50 / ms(onnx_times):.2f}"),
        ("ask p50 / paced bare embedding p50", f"{p50 / ms(paced_times):.2f}"),
        ("ask p50 / PyTorch encode p50 (target ≤ 0.6)", f"{p50 / ms(torch_times):.2f}"),
    ]
    rows += [(f"server peak memory (VmHWM), {k}", f"{v:.0f} MB") for k, v in memory.items()]

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seconds, summary = timed_build(CORPUS, tmp / "demo-index")
        rows.append(("`clinicbot build` of the demo corpus, whole command, cold", f"{seconds:.1f} s ({summary.split(': ', 1)[1]})"))
        rows.append(("build step alone, demo corpus, everything embedded", f"{in_process_build_seconds(CORPUS, None):.2f} s"))
        synthetic_corpus(tmp / "big", args.articles)
        seconds, summary = timed_build(tmp / "big", tmp / "big-index")
        rows.append((f"`clinicbot build`, synthetic {args.articles}-article corpus, cold", f"{seconds:.1f} s"))
        shutil.copy(CORPUS / "who-can-benefit-from-dry-needling.html", tmp / "big" / "new-post.html")
        seconds, summary = timed_build(tmp / "big", tmp / "big-index")
        rows.append((f"`clinicbot build` after adding 1 post to {args.articles} (incremental, whole command)",
                     f"{seconds:.1f} s ({summary.split('(', 1)[1].rstrip(')')})"))
        shutil.copy(CORPUS / "carpal-tunnel-syndrome-will-i-need-surgery.html", tmp / "big" / "another-post.html")
        rows.append((f"build step alone after adding 1 post to {args.articles}",
                     f"{in_process_build_seconds(tmp / 'big', tmp / 'big-index'):.2f} s"))

    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    header = (f"# Benchmarks\n\nMeasured by `make bench` ({Path(__file__).name}) on "
              f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}), "
              f"Python {platform.python_version()}, {len(questions)} unique questions, one run.\n\n")
    table = "| What | Result |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n"
    Path(args.out).write_text(header + table)
    print(header + table)


if __name__ == "__main__":
    main()
