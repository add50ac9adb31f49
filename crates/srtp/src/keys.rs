//! Master keys: from raw key and salt, or split out of the DTLS-SRTP exporter (RFC 5764 §4.2).

use std::fmt;

use crate::{MAX_MASTER_KEY_AND_SALT_LEN, SrtpError, SrtpProfile};

/// The TLS exporter label DTLS-SRTP keys are exported with (RFC 5764 §4.2); no context is used.
pub const DTLS_SRTP_EXPORTER_LABEL: &str = "EXTRACTOR-dtls_srtp";

/// Our role in the DTLS handshake, which decides which half of the exported keys is ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// We sent the `ClientHello`: we protect with the client write key.
    Client,
    /// We answered it: we protect with the server write key.
    Server,
}

/// One direction's SRTP master key and master salt, for one profile.
///
/// Stored contiguously as `key | salt`, the layout libsrtp takes. `Debug` does not print the secret, and the
/// bytes are overwritten when the value is dropped (best effort: copies the caller made are not).
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    profile: SrtpProfile,
    bytes: [u8; MAX_MASTER_KEY_AND_SALT_LEN],
}

impl MasterKey {
    /// A master key for `profile` from its key and salt, whose lengths must be the profile's.
    pub fn new(profile: SrtpProfile, key: &[u8], salt: &[u8]) -> Result<Self, SrtpError> {
        let (key_len, salt_len) = (profile.master_key_len(), profile.master_salt_len());
        if key.len() != key_len {
            return Err(SrtpError::KeyLength {
                what: "master key",
                expected: key_len,
                got: key.len(),
            });
        }
        if salt.len() != salt_len {
            return Err(SrtpError::KeyLength {
                what: "master salt",
                expected: salt_len,
                got: salt.len(),
            });
        }
        let mut bytes = [0; MAX_MASTER_KEY_AND_SALT_LEN];
        bytes[..key_len].copy_from_slice(key);
        bytes[key_len..key_len + salt_len].copy_from_slice(salt);
        Ok(Self { profile, bytes })
    }

    /// A master key for `profile` from `key | salt` concatenated (the form SDES `inline:` keys decode to).
    pub fn from_key_and_salt(profile: SrtpProfile, key_and_salt: &[u8]) -> Result<Self, SrtpError> {
        let expected = profile.master_key_len() + profile.master_salt_len();
        if key_and_salt.len() != expected {
            return Err(SrtpError::KeyLength {
                what: "master key and salt",
                expected,
                got: key_and_salt.len(),
            });
        }
        let (key, salt) = key_and_salt.split_at(profile.master_key_len());
        Self::new(profile, key, salt)
    }

    /// The profile this key is for.
    pub fn profile(&self) -> SrtpProfile {
        self.profile
    }

    /// The master key.
    pub fn key(&self) -> &[u8] {
        &self.bytes[..self.profile.master_key_len()]
    }

    /// The master salt.
    pub fn salt(&self) -> &[u8] {
        let k = self.profile.master_key_len();
        &self.bytes[k..k + self.profile.master_salt_len()]
    }

    /// Key then salt, contiguous.
    pub fn key_and_salt(&self) -> &[u8] {
        &self.bytes[..self.profile.master_key_len() + self.profile.master_salt_len()]
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.bytes.fill(0);
        // Keep the wipe from being optimised away as a dead store.
        std::hint::black_box(&mut self.bytes);
    }
}

/// The two master keys of an SRTP association: ours (to protect what we send) and the peer's (to unprotect
/// what we receive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKeys {
    local: MasterKey,
    remote: MasterKey,
}

impl SessionKeys {
    /// Keys from our master key and the peer's; both must be for the same profile.
    pub fn new(local: MasterKey, remote: MasterKey) -> Result<Self, SrtpError> {
        if local.profile != remote.profile {
            return Err(SrtpError::BadParameter(
                "local and remote master keys are for different profiles",
            ));
        }
        Ok(Self { local, remote })
    }

    /// Splits DTLS exporter output into our and the peer's master keys.
    ///
    /// `material` is `profile.keying_material_len()` bytes exported with [`DTLS_SRTP_EXPORTER_LABEL`] and
    /// laid out `client key | server key | client salt | server salt` (RFC 5764 §4.2). The DTLS client
    /// protects with the client half; the server with the server half.
    pub fn from_dtls_exporter(profile: SrtpProfile, material: &[u8], role: DtlsRole) -> Result<Self, SrtpError> {
        let expected = profile.keying_material_len();
        if material.len() != expected {
            return Err(SrtpError::KeyLength {
                what: "keying material",
                expected,
                got: material.len(),
            });
        }
        let (k, s) = (profile.master_key_len(), profile.master_salt_len());
        let (client_key, rest) = material.split_at(k);
        let (server_key, rest) = rest.split_at(k);
        let (client_salt, server_salt) = rest.split_at(s);
        let client = MasterKey::new(profile, client_key, client_salt)?;
        let server = MasterKey::new(profile, server_key, server_salt)?;
        Ok(match role {
            DtlsRole::Client => Self {
                local: client,
                remote: server,
            },
            DtlsRole::Server => Self {
                local: server,
                remote: client,
            },
        })
    }

    /// The profile both keys are for.
    pub fn profile(&self) -> SrtpProfile {
        self.local.profile
    }

    /// Our master key: protects what we send.
    pub fn local(&self) -> &MasterKey {
        &self.local
    }

    /// The peer's master key: unprotects what we receive.
    pub fn remote(&self) -> &MasterKey {
        &self.remote
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn material(profile: SrtpProfile) -> Vec<u8> {
        (0..profile.keying_material_len()).map(|i| i as u8).collect()
    }

    #[test]
    fn exporter_split_by_role() {
        let p = SrtpProfile::Aes128CmHmacSha1_80;
        let m = material(p);
        let client = SessionKeys::from_dtls_exporter(p, &m, DtlsRole::Client).expect("valid");
        assert_eq!(client.local().key(), &m[0..16]);
        assert_eq!(client.remote().key(), &m[16..32]);
        assert_eq!(client.local().salt(), &m[32..46]);
        assert_eq!(client.remote().salt(), &m[46..60]);
        let server = SessionKeys::from_dtls_exporter(p, &m, DtlsRole::Server).expect("valid");
        assert_eq!(server.local(), client.remote());
        assert_eq!(server.remote(), client.local());
    }

    #[test]
    fn exporter_split_gcm_256() {
        let p = SrtpProfile::AeadAes256Gcm;
        let m = material(p);
        let keys = SessionKeys::from_dtls_exporter(p, &m, DtlsRole::Client).expect("valid");
        assert_eq!(keys.local().key(), &m[0..32]);
        assert_eq!(keys.remote().key(), &m[32..64]);
        assert_eq!(keys.local().salt(), &m[64..76]);
        assert_eq!(keys.remote().salt(), &m[76..88]);
        assert_eq!(keys.local().key_and_salt().len(), 44);
    }

    #[test]
    fn wrong_lengths_are_rejected() {
        let p = SrtpProfile::AeadAes128Gcm;
        assert_eq!(
            SessionKeys::from_dtls_exporter(p, &[0; 60], DtlsRole::Client),
            Err(SrtpError::KeyLength {
                what: "keying material",
                expected: 56,
                got: 60
            })
        );
        assert_eq!(
            MasterKey::new(p, &[0; 16], &[0; 14]),
            Err(SrtpError::KeyLength {
                what: "master salt",
                expected: 12,
                got: 14
            })
        );
        assert_eq!(
            MasterKey::new(p, &[0; 32], &[0; 12]),
            Err(SrtpError::KeyLength {
                what: "master key",
                expected: 16,
                got: 32
            })
        );
        let a = MasterKey::new(p, &[0; 16], &[0; 12]).expect("valid");
        let b = MasterKey::new(SrtpProfile::AeadAes256Gcm, &[0; 32], &[0; 12]).expect("valid");
        assert!(matches!(SessionKeys::new(a, b), Err(SrtpError::BadParameter(_))));
    }

    #[test]
    fn debug_hides_the_secret() {
        let k = MasterKey::new(SrtpProfile::Aes128CmHmacSha1_80, &[0xAB; 16], &[0xCD; 14]).expect("valid");
        let s = format!("{k:?}");
        assert!(!s.contains("171") && !s.contains("AB") && !s.contains("ab"), "{s}");
    }
}
