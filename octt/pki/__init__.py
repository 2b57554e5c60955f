"""The test PKI and the X.509 computations of the OCPP 1.6 security whitepaper ("Improved
security for OCPP 1.6-J", edition 3): keys, CAs, server and client certificates, CSRs,
certificateHashData and firmware signatures, all with the `cryptography` library.

Modules: `certs` (keys, certificates, CSRs, PEM), `hashdata` (CertificateHashDataType),
`firmware` (firmware signatures, use case L01) and `layout` (`octt pki init`: the files of a
complete test PKI and what each is for).
"""
