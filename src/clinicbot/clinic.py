"""The clinic's own facts (name, phone, booking link, hours), read from corpus/clinic.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("name", "town", "phone", "booking_url", "website")


class ClinicError(ValueError):
    pass


@dataclass(frozen=True)
class Clinic:
    name: str
    town: str
    phone: str
    booking_url: str
    website: str
    address: str = ""
    phone_href: str = ""
    email: str = ""
    hours: list[str] = field(default_factory=list)
    insurance: str = ""
    parking: str = ""
    pricing: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def tel(self) -> str:
        """A tel: link; derived from the digits of the phone number when not given."""
        if self.phone_href:
            return self.phone_href
        digits = "".join(c for c in self.phone if c.isdigit())
        return f"tel:+1{digits}" if len(digits) == 10 else f"tel:{digits}"

    def as_dict(self) -> dict:
        return {
            "name": self.name, "town": self.town, "address": self.address, "phone": self.phone,
            "phone_href": self.tel, "booking_url": self.booking_url, "website": self.website,
            "email": self.email, "hours": self.hours, "insurance": self.insurance,
            "parking": self.parking, "pricing": self.pricing, **self.extra,
        }


def load_clinic(path: Path) -> Clinic:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClinicError(f"{path} is missing: copy the sample corpus/clinic.toml and fill in your clinic's details") from None
    except tomllib.TOMLDecodeError as err:
        raise ClinicError(f"{path} is not valid TOML: {err}") from None
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        raise ClinicError(f"{path} needs: {', '.join(missing)}")
    known = set(Clinic.__dataclass_fields__) - {"extra"}
    return Clinic(**{k: v for k, v in data.items() if k in known},
                  extra={k: v for k, v in data.items() if k not in known})
