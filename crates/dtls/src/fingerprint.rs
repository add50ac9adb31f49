//! Certificate fingerprints in their SDP form (RFC 8122 §5): `sha-256 AB:CD:...`.

use std::fmt;
use std::str::FromStr;

use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::x509::X509Ref;

use crate::DtlsError;

/// A hash function a fingerprint can be taken with (the RFC 8122 names WebRTC uses; MD5 and MD2 are not accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashFunction {
    /// SHA-1 (`sha-1`), 20 bytes; kept for old peers only.
    Sha1,
    /// SHA-256 (`sha-256`), 32 bytes; what browsers send.
    Sha256,
    /// SHA-384 (`sha-384`), 48 bytes.
    Sha384,
    /// SHA-512 (`sha-512`), 64 bytes.
    Sha512,
}

impl HashFunction {
    /// Every supported hash function, weakest first.
    pub const ALL: [Self; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The name as SDP writes it (the IANA "Hash Function Textual Names"), e.g. `sha-256`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// The hash function named `name`, case-insensitively (SDP names are case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.name().eq_ignore_ascii_case(name))
    }

    /// Length of the digest in bytes.
    pub const fn digest_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    fn message_digest(self) -> MessageDigest {
        match self {
            Self::Sha1 => MessageDigest::sha1(),
            Self::Sha256 => MessageDigest::sha256(),
            Self::Sha384 => MessageDigest::sha384(),
            Self::Sha512 => MessageDigest::sha512(),
        }
    }
}

impl fmt::Display for HashFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The digest of a DER-encoded certificate under one hash function, as `a=fingerprint` carries it.
///
/// Displays and parses as `sha-256 AB:CD:...` (upper-case hex on output; either case accepted on input).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    hash: HashFunction,
    value: Vec<u8>,
}

impl Fingerprint {
    /// A fingerprint from its hash function and digest, whose length must be the hash function's.
    pub fn new(hash: HashFunction, value: &[u8]) -> Result<Self, DtlsError> {
        if value.len() != hash.digest_len() {
            return Err(DtlsError::FingerprintLength {
                hash: hash.name(),
                expected: hash.digest_len(),
                got: value.len(),
            });
        }
        Ok(Self {
            hash,
            value: value.to_vec(),
        })
    }

    /// The fingerprint of `certificate` under `hash`.
    pub fn of(certificate: &X509Ref, hash: HashFunction) -> Result<Self, DtlsError> {
        Ok(Self::digest(certificate, hash)?)
    }

    /// The fingerprint of `certificate` under `hash`, or what OpenSSL reported if it could not hash it.
    pub(crate) fn digest(certificate: &X509Ref, hash: HashFunction) -> Result<Self, ErrorStack> {
        let digest = certificate.digest(hash.message_digest())?;
        // The digest of `hash` has its length: no check needed.
        Ok(Self {
            hash,
            value: digest.to_vec(),
        })
    }

    /// The hash function.
    pub fn hash(&self) -> HashFunction {
        self.hash
    }

    /// The digest bytes.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// Whether `certificate` has this fingerprint.
    pub fn matches(&self, certificate: &X509Ref) -> bool {
        certificate
            .digest(self.hash.message_digest())
            .is_ok_and(|d| d.as_ref() == self.value.as_slice())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hash.name())?;
        for (i, b) in self.value.iter().enumerate() {
            let sep = if i == 0 { ' ' } else { ':' };
            write!(f, "{sep}{b:02X}")?;
        }
        Ok(())
    }
}

impl FromStr for Fingerprint {
    type Err = DtlsError;

    /// Parses the value of an `a=fingerprint:` line: a hash function name, white space, colon-separated hex bytes.
    fn from_str(s: &str) -> Result<Self, DtlsError> {
        let bad = |reason| DtlsError::BadFingerprint {
            input: s.to_owned(),
            reason,
        };
        let (name, hex) = s
            .trim()
            .split_once(|c: char| c.is_ascii_whitespace())
            .ok_or_else(|| bad("expected `<hash function> <hex bytes>`"))?;
        let hash = HashFunction::from_name(name).ok_or_else(|| DtlsError::UnknownHashFunction(name.to_owned()))?;
        let value = hex
            .trim()
            .split(':')
            .map(|pair| {
                if pair.len() == 2 && pair.bytes().all(|b| b.is_ascii_hexdigit()) {
                    u8::from_str_radix(pair, 16).map_err(|_| bad("not a hex byte"))
                } else {
                    Err(bad("bytes must be two hex digits separated by `:`"))
                }
            })
            .collect::<Result<Vec<u8>, DtlsError>>()?;
        Self::new(hash, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_form_round_trips() {
        let fp = Fingerprint::new(HashFunction::Sha256, &(0..32).collect::<Vec<u8>>()).expect("valid");
        let text = fp.to_string();
        assert!(text.starts_with("sha-256 00:01:02:"), "{text}");
        assert!(text.ends_with(":1E:1F"), "{text}");
        assert_eq!(text.parse::<Fingerprint>().expect("parses"), fp);
        let lower = text.replace("sha-256", "SHA-256").to_lowercase();
        assert_eq!(lower.parse::<Fingerprint>().expect("parses"), fp);
    }

    #[test]
    fn bad_input_is_rejected_precisely() {
        assert!(matches!(
            "md5 00:11".parse::<Fingerprint>(),
            Err(DtlsError::UnknownHashFunction(name)) if name == "md5"
        ));
        assert!(matches!(
            "sha-256".parse::<Fingerprint>(),
            Err(DtlsError::BadFingerprint { .. })
        ));
        assert!(matches!(
            "sha-1 00:11:2".parse::<Fingerprint>(),
            Err(DtlsError::BadFingerprint { .. })
        ));
        assert!(matches!(
            "sha-1 00:11:+2".parse::<Fingerprint>(),
            Err(DtlsError::BadFingerprint { .. })
        ));
        assert!(matches!(
            "sha-1 00:11".parse::<Fingerprint>(),
            Err(DtlsError::FingerprintLength {
                hash: "sha-1",
                expected: 20,
                got: 2
            })
        ));
    }

    #[test]
    fn names_and_lengths() {
        for h in HashFunction::ALL {
            assert_eq!(HashFunction::from_name(h.name()), Some(h));
            assert_eq!(h.message_digest().size(), h.digest_len());
        }
    }
}
