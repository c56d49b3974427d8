"""The platform's signatures on accepted and countersigned contracts, and checking a PDF
against them.

An accepted version is sealed: the PDF exactly as offered (its bytes stay the start of
the file), a certificate-of-completion page added as an incremental update, then a PAdES
signature (pyHanko) by the installation's own key over the whole file. When the brand
countersigns, the sealed file (again byte for byte) gets a second incremental update: a
visible signature field on the completion page whose appearance is the countersignature's
completion entry, and a second PAdES signature over the whole file. Adding a signature
field is a change a signed PDF allows (form filling), so the partner's signature stays
valid for every validator; a new page would not be.

Anyone can check a copy with any PDF reader against the certificate the portal
publishes, or upload it to the portal's verify page, which validates every signature and
looks the file's SHA-256 up among the sealed versions.

The key and its self-signed certificate are made on first use and kept in the database
(contract_signing_identity), the key encrypted with a passphrase derived from SECRET_KEY,
so every process of an installation signs with the same key and a backup carries it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO

import anyio
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import content as pdf_content
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from contracts.tables import SigningIdentity
from partner_portal import signing, workers
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.settings import current_settings

IDENTITY_NAME = "platform"
CERTIFICATE_YEARS = 20
SIGNATURE_FIELD = "ThreadlineAcceptance"
COUNTERSIGNATURE_FIELD = "ThreadlineCountersignature"
# The signature fields of a sealed file, in the order they are signed: accepted, then
# countersigned.
FIELDS = (SIGNATURE_FIELD, COUNTERSIGNATURE_FIELD)
# What the verify page accepts; a sealed contract is a few hundred kilobytes.
VERIFY_UPLOAD_BYTES = 20 * 1024 * 1024
CHECK_SECONDS = 30
INHERITED_PAGE_ATTRIBUTES = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


@dataclass(frozen=True)
class Identity:
    """The installation's signing key and certificate, as PEM."""

    private_key_pem: bytes
    certificate_pem: bytes

    @property
    def certificate(self) -> asn1_x509.Certificate:
        der = x509.load_pem_x509_certificate(self.certificate_pem).public_bytes(
            serialization.Encoding.DER
        )
        return asn1_x509.Certificate.load(der)


def _passphrase() -> bytes:
    return signing.signature(current_settings().secret_key, "contract-signing-key", "v1").encode()


def _new_identity(organisation_name: str) -> Identity:
    """A fresh P-256 key and a self-signed certificate for document signing."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Threadline contract signing"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name[:64] or "Threadline"),
        ]
    )
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_passphrase()),
        ),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
    )


async def _stored_identity() -> Identity | None:
    row = await (
        SigningIdentity.select(SigningIdentity.private_key_pem, SigningIdentity.certificate_pem)
        .where(SigningIdentity.name == IDENTITY_NAME)
        .first()
    )
    if row is None:
        return None
    return Identity(row["private_key_pem"].encode(), row["certificate_pem"].encode())


async def platform_identity(organisation_name: str = "") -> Identity:
    """The installation's identity, made and stored on first use; when two processes make
    one at once, the unique name keeps the first and both use it."""
    found = await _stored_identity()
    if found is not None:
        return found
    made = await anyio.to_thread.run_sync(_new_identity, organisation_name)
    async with write_transaction():
        await (
            SigningIdentity.insert(
                SigningIdentity(
                    name=IDENTITY_NAME,
                    private_key_pem=made.private_key_pem.decode(),
                    certificate_pem=made.certificate_pem.decode(),
                    created_at=utcnow(),
                )
            )
            .on_conflict(action="DO NOTHING")
            .run()
        )
    stored = await _stored_identity()
    assert stored is not None
    return stored


def _signer(identity: Identity) -> signers.SimpleSigner:
    key = serialization.load_pem_private_key(identity.private_key_pem, _passphrase())
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificate = identity.certificate
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )


def _append_page(writer: IncrementalPdfFileWriter, page_pdf: bytes) -> None:
    """Add the first page of ``page_pdf`` at the end of the document being updated."""
    source = PdfFileReader(BytesIO(page_pdf))
    page_ref = source.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    # Copied value by value without its parent, or the whole page tree of the source
    # would come along; what the page inherits from its parents is copied onto it.
    values = {name: page.raw_get(name) for name in page if name != "/Parent"}
    parent = page.get("/Parent")
    while parent is not None:
        parent = parent.get_object()
        for name in INHERITED_PAGE_ATTRIBUTES:
            if name in parent and name not in values:
                values[name] = parent.raw_get(name)
        parent = parent.get("/Parent")
    imported = generic.DictionaryObject(
        {generic.NameObject(name): writer.import_object(value) for name, value in values.items()}
    )
    writer.insert_page(imported)


def _metadata(field_name: str, reason: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason[:200],
        name="Threadline",
    )


def seal_sync(
    offered_pdf: bytes, completion_page_pdf: bytes, identity: Identity, reason: str
) -> bytes:
    """The offered PDF with the completion page appended, signed (PAdES B-B) by the
    platform over the whole file. CPU work: run it in a worker thread."""
    writer = IncrementalPdfFileWriter(BytesIO(offered_pdf))
    _append_page(writer, completion_page_pdf)
    output = signers.sign_pdf(writer, _metadata(SIGNATURE_FIELD, reason), signer=_signer(identity))
    return output.getvalue()


class _PageAppearance(pdf_content.PdfContent):
    """The first page of a PDF (held in memory) as a signature's appearance."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(BytesIO(self.pdf)), page_ix=0)
        name = "/Entry"
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return f"{name} Do".encode()


def countersign_sync(
    accepted_pdf: bytes,
    entry_pdf: bytes,
    box: tuple[int, int, int, int],
    identity: Identity,
    reason: str,
) -> bytes:
    """The sealed, accepted PDF with the brand's countersignature: a visible signature
    field at ``box`` (PDF points) on its last page (the completion page) showing
    ``entry_pdf``'s first page, and a second PAdES signature over the whole file. The
    accepted file's bytes stay its start, so the partner's signature still holds. CPU
    work: run it in a worker thread."""
    writer = IncrementalPdfFileWriter(BytesIO(accepted_pdf))
    style = StaticStampStyle(
        background=_PageAppearance(entry_pdf),
        background_opacity=1.0,
        border_width=1,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(0),
        ),
    )
    signer = signers.PdfSigner(
        _metadata(COUNTERSIGNATURE_FIELD, reason),
        signer=_signer(identity),
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=COUNTERSIGNATURE_FIELD, on_page=-1, box=box
        ),
    )
    return signer.sign_pdf(writer).getvalue()


async def seal(
    offered_pdf: bytes, completion_page_pdf: bytes, reason: str, organisation_name: str
) -> bytes:
    """seal_sync in a worker thread (the input is the portal's own PDF), with the
    installation's identity, made for ``organisation_name`` if this is the first seal."""
    identity = await platform_identity(organisation_name)
    return await anyio.to_thread.run_sync(
        seal_sync, offered_pdf, completion_page_pdf, identity, reason
    )


async def countersign(
    accepted_pdf: bytes, entry_pdf: bytes, box: tuple[int, int, int, int], reason: str
) -> bytes:
    """countersign_sync in a worker thread (the input is the portal's own sealed PDF)."""
    identity = await platform_identity()
    return await anyio.to_thread.run_sync(
        countersign_sync, accepted_pdf, entry_pdf, box, identity, reason
    )


@dataclass(frozen=True)
class SealCheck:
    """What a PDF's signatures say: ``sealed`` when it carries the platform's valid
    signatures, the acceptance and then (if countersigned) the countersignature, the last
    over the whole file and nothing added in between but the countersignature's field;
    ``signed_at`` each signature's time as it states it; ``sha256`` of the file as
    uploaded."""

    sealed: bool
    sha256: str
    signed_at: tuple[datetime | None, ...] = ()
    problem: str = ""

    @property
    def stage(self) -> str:
        """How far the file got: accepted (one signature) or countersigned (both)."""
        if not self.sealed:
            return ""
        return {1: "accepted", 2: "countersigned"}.get(len(self.signed_at), "")


def check_sync(content: bytes, identity: Identity) -> SealCheck:
    """Validate the platform's signatures in ``content`` (CPU work on untrusted input: run
    in a worker process). A signature of another signer or in another field, a change
    after signing that is not the countersignature's field, or a last signature that does
    not cover the whole file means not sealed."""
    sha256 = hashlib.sha256(content).hexdigest()
    context = ValidationContext(
        trust_roots=[identity.certificate], allow_fetching=False, revocation_mode="soft-fail"
    )
    times: list[datetime | None] = []
    try:
        signatures = PdfFileReader(BytesIO(content), strict=False).embedded_signatures
        if not signatures:
            return SealCheck(False, sha256, problem="unsigned")
        if tuple(found.field_name for found in signatures) != FIELDS[: len(signatures)]:
            return SealCheck(False, sha256, problem="not the platform's signature fields")
        for index, embedded in enumerate(signatures):
            status = validate_pdf_signature(embedded, context)
            if index == len(signatures) - 1:
                covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            else:
                # Followed by the countersignature: what came after must be no more
                # than a signature field filled in.
                covered = status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and bool(
                    status.docmdp_ok
                )
            ours = status.signing_cert.dump() == identity.certificate.dump()
            if not (status.intact and status.valid and status.trusted and covered and ours):
                return SealCheck(False, sha256, problem="altered or not the platform's")
            signed_at = status.signer_reported_dt
            times.append(signed_at.astimezone(UTC) if signed_at else None)
    # An uploaded file can be broken in any way the parser or validator may trip over;
    # whatever it is, the answer is the same: not a sealed contract.
    except Exception as error:
        return SealCheck(False, sha256, problem=f"unreadable: {type(error).__name__}")
    return SealCheck(True, sha256, tuple(times))


async def check(content: bytes) -> SealCheck:
    """check_sync in a worker process, within CHECK_SECONDS."""
    identity = await platform_identity()
    try:
        return await workers.run(check_sync, content, identity, time_limit=CHECK_SECONDS)
    except workers.WorkerTimeout:
        return SealCheck(False, hashlib.sha256(content).hexdigest(), problem="too slow")


async def certificate_pem() -> bytes:
    """The platform's certificate, for anyone to check a sealed PDF against."""
    return (await platform_identity()).certificate_pem
