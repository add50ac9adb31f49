//! Self-signed certificates for DTLS, generated once per peer and announced by fingerprint.

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, PKeyRef, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder, X509Ref};

use crate::{DtlsError, Fingerprint, HashFunction};

/// How long before "now" a generated certificate becomes valid, to tolerate clock skew between peers.
pub const VALID_BEFORE: Duration = Duration::from_hours(24);

/// How long after "now" a generated certificate stays valid (what browsers use).
pub const VALID_FOR: Duration = Duration::from_hours(30 * 24);

/// The key a generated certificate is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA over P-256 (`prime256v1`): what browsers generate; small and fast.
    #[default]
    EcdsaP256,
    /// RSA with a 2048-bit modulus, for peers without ECDSA. Slow to generate (tens of milliseconds).
    Rsa2048,
}

/// A certificate and its private key, with the SHA-256 fingerprint announced in SDP.
///
/// Cloning is cheap (a reference count): generate one per peer and hand it to every endpoint.
#[derive(Clone)]
pub struct DtlsCertificate {
    inner: Arc<Inner>,
}

struct Inner {
    certificate: X509,
    private_key: PKey<Private>,
    fingerprint: Fingerprint,
}

impl DtlsCertificate {
    /// Generates a self-signed certificate with a random common name and serial, valid from a day before now to
    /// 30 days after ([`VALID_BEFORE`], [`VALID_FOR`]), signed with SHA-256.
    pub fn generate(key_type: KeyType) -> Result<Self, DtlsError> {
        Self::generate_at(key_type, SystemTime::now())
    }

    /// Like [`generate`](Self::generate), with validity around `now` instead of the system clock.
    pub fn generate_at(key_type: KeyType, now: SystemTime) -> Result<Self, DtlsError> {
        let private_key = match key_type {
            KeyType::EcdsaP256 => {
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
                PKey::from_ec_key(EcKey::generate(&group)?)?
            }
            KeyType::Rsa2048 => PKey::from_rsa(Rsa::generate(2048)?)?,
        };

        let mut random = [0u8; 8];
        openssl::rand::rand_bytes(&mut random)?;
        let mut common_name = String::from("ortc-");
        for b in random {
            // invariant: writing to a String cannot fail.
            let _ = write!(common_name, "{b:02x}");
        }
        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_nid(Nid::COMMONNAME, &common_name)?;
        let name = name.build();

        let mut serial = BigNum::new()?;
        serial.rand(63, MsbOption::MAYBE_ZERO, false)?;

        let mut builder = X509::builder()?;
        builder.set_version(2)?;
        let serial = serial.to_asn1_integer()?;
        let not_before = asn1_time(now.checked_sub(VALID_BEFORE).unwrap_or(UNIX_EPOCH))?;
        let not_after = asn1_time(now + VALID_FOR)?;
        builder.set_serial_number(&serial)?;
        builder.set_subject_name(&name)?;
        builder.set_issuer_name(&name)?;
        builder.set_pubkey(&private_key)?;
        builder.set_not_before(&not_before)?;
        builder.set_not_after(&not_after)?;
        builder.sign(&private_key, MessageDigest::sha256())?;
        Self::from_parts(builder.build(), private_key)
    }

    /// Loads a certificate and its private key (PKCS#8 or traditional) from PEM; the key must match.
    pub fn from_pem(certificate_pem: &[u8], private_key_pem: &[u8]) -> Result<Self, DtlsError> {
        let certificate = X509::from_pem(certificate_pem)?;
        let private_key = PKey::private_key_from_pem(private_key_pem)?;
        if !certificate.public_key()?.public_eq(&private_key) {
            return Err(DtlsError::KeyMismatch);
        }
        Self::from_parts(certificate, private_key)
    }

    fn from_parts(certificate: X509, private_key: PKey<Private>) -> Result<Self, DtlsError> {
        let fingerprint = Fingerprint::of(&certificate, HashFunction::Sha256)?;
        Ok(Self {
            inner: Arc::new(Inner {
                certificate,
                private_key,
                fingerprint,
            }),
        })
    }

    /// The certificate in PEM.
    pub fn certificate_pem(&self) -> Result<Vec<u8>, DtlsError> {
        Ok(self.inner.certificate.to_pem()?)
    }

    /// The private key in PKCS#8 PEM. Secret: handle with care.
    pub fn private_key_pem(&self) -> Result<Vec<u8>, DtlsError> {
        Ok(self.inner.private_key.private_key_to_pem_pkcs8()?)
    }

    /// The SHA-256 fingerprint, as `a=fingerprint` announces it.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.inner.fingerprint
    }

    /// The fingerprint under another hash function.
    pub fn fingerprint_with(&self, hash: HashFunction) -> Result<Fingerprint, DtlsError> {
        Fingerprint::of(&self.inner.certificate, hash)
    }

    /// The certificate.
    pub fn x509(&self) -> &X509Ref {
        &self.inner.certificate
    }

    /// The private key.
    pub fn private_key(&self) -> &PKeyRef<Private> {
        &self.inner.private_key
    }
}

impl fmt::Debug for DtlsCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsCertificate")
            .field("subject", &self.inner.certificate.subject_name())
            .field("fingerprint", &self.inner.fingerprint.to_string())
            .finish_non_exhaustive()
    }
}

fn asn1_time(t: SystemTime) -> Result<Asn1Time, DtlsError> {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Ok(Asn1Time::from_unix(
        libc::time_t::try_from(secs).unwrap_or(libc::time_t::MAX),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ecdsa_certificate() {
        let now = SystemTime::now();
        let cert = DtlsCertificate::generate_at(KeyType::EcdsaP256, now).expect("generates");
        let x509 = cert.x509();
        assert_eq!(x509.public_key().expect("key").id(), openssl::pkey::Id::EC);
        let entry = x509.subject_name().entries_by_nid(Nid::COMMONNAME).next().expect("CN");
        let cn = String::from_utf8(entry.data().as_slice().to_vec()).expect("ASCII");
        assert!(cn.starts_with("ortc-") && cn.len() == 21, "{cn}");
        let other = DtlsCertificate::generate_at(KeyType::EcdsaP256, now).expect("generates");
        assert_ne!(cert.fingerprint(), other.fingerprint());
        assert_ne!(
            x509.subject_name().to_der().ok(),
            other.x509().subject_name().to_der().ok()
        );

        let before = asn1_time(now - VALID_BEFORE).expect("time");
        let after = asn1_time(now + VALID_FOR).expect("time");
        assert_eq!(
            x509.not_before().compare(&before).expect("cmp"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            x509.not_after().compare(&after).expect("cmp"),
            std::cmp::Ordering::Equal
        );
        assert!(x509.verify(cert.private_key()).expect("verifies"), "self-signed");
    }

    #[test]
    fn rsa_option() {
        let cert = DtlsCertificate::generate(KeyType::Rsa2048).expect("generates");
        let key = cert.x509().public_key().expect("key");
        assert_eq!(key.id(), openssl::pkey::Id::RSA);
        assert_eq!(key.bits(), 2048);
    }

    #[test]
    fn pem_round_trip_and_fingerprints() {
        let cert = DtlsCertificate::generate(KeyType::default()).expect("generates");
        let clone = cert.clone();
        assert!(Arc::ptr_eq(&cert.inner, &clone.inner));
        let loaded = DtlsCertificate::from_pem(
            &cert.certificate_pem().expect("pem"),
            &cert.private_key_pem().expect("pem"),
        )
        .expect("loads");
        assert_eq!(loaded.fingerprint(), cert.fingerprint());
        for h in HashFunction::ALL {
            let fp = cert.fingerprint_with(h).expect("digest");
            assert_eq!(fp.value().len(), h.digest_len());
            assert!(fp.matches(loaded.x509()));
            assert_eq!(fp.to_string().parse::<Fingerprint>().expect("parses"), fp);
        }
        assert_eq!(cert.fingerprint().hash(), HashFunction::Sha256);

        let other = DtlsCertificate::generate(KeyType::default()).expect("generates");
        assert!(matches!(
            DtlsCertificate::from_pem(
                &cert.certificate_pem().expect("pem"),
                &other.private_key_pem().expect("pem")
            ),
            Err(DtlsError::KeyMismatch)
        ));
        assert!(matches!(
            DtlsCertificate::from_pem(b"not pem", b"not pem"),
            Err(DtlsError::Openssl(_))
        ));
        assert!(!other.fingerprint().matches(cert.x509()));
    }
}
