"""The probe program (packed into mta-probe.pyz by `build_probe`): Python's standard library, dnspython and the
portal's `diagnostics.checks`, nothing else. It imports no Django."""

VERSION = "1.0"
