"""Keys and certificates: the national root, governorate CAs and unit document signers.

The same unit certificate signs a permit's QR token and its PDF. See
:mod:`localgov.pki.hierarchy` for the profile and :mod:`localgov.pki.oids` for the OID arc.
"""

from localgov.pki.errors import PkiError
from localgov.pki.extensions import permit_kinds_of
from localgov.pki.hierarchy import (
    KID_LENGTH,
    Credential,
    create_root,
    device_id_of,
    issue_device_certificate,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
    kid_of,
    unit_code_of,
    verify_chain,
)
from localgov.pki.keys import (
    generate_signing_key,
    load_certificate,
    load_certificates,
    load_private_key,
    save_certificate,
    save_private_key,
)
from localgov.pki.oids import (
    EKU_DEVICE_SIGNING,
    EKU_PERMIT_SIGNING,
    EKU_TRUST_LIST_SIGNING,
    LOCALGOV_ARC,
    PERMIT_KINDS_EXTENSION,
)

__all__ = [
    "EKU_DEVICE_SIGNING",
    "EKU_PERMIT_SIGNING",
    "EKU_TRUST_LIST_SIGNING",
    "KID_LENGTH",
    "LOCALGOV_ARC",
    "PERMIT_KINDS_EXTENSION",
    "Credential",
    "PkiError",
    "create_root",
    "device_id_of",
    "generate_signing_key",
    "issue_device_certificate",
    "issue_governorate_ca",
    "issue_trust_list_signer",
    "issue_unit_signer",
    "kid_of",
    "load_certificate",
    "load_certificates",
    "load_private_key",
    "permit_kinds_of",
    "save_certificate",
    "save_private_key",
    "unit_code_of",
    "verify_chain",
]
