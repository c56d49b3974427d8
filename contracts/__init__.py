"""contracts module (see docs/ARCHITECTURE.md)."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko (contracts/sealing.py) imports cryptography's DSA key type to read old
# signatures, and cryptography warns about DSA on that import: on every command and
# server start. The portal seals with RSA and never signs with DSA.
warnings.filterwarnings(
    "ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning
)
