//! SRTP protection profiles as negotiated by DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2).

use std::fmt;

/// Length of the SRTCP trailer word holding the E bit and the 31-bit SRTCP index (RFC 3711 §3.4).
pub const SRTCP_INDEX_LEN: usize = 4;

/// Longest master key plus master salt of any supported profile (`AEAD_AES_256_GCM`: 32 + 12).
pub const MAX_MASTER_KEY_AND_SALT_LEN: usize = 46;

/// A protection profile: cipher, authentication and the key/salt/tag lengths that come with them.
///
/// | profile | DTLS id | master key | master salt | RTP tag | RTCP tag |
/// |---|---|---|---|---|---|
/// | `SRTP_AES128_CM_HMAC_SHA1_80` | `0x0001` | 16 | 14 | 10 | 10 |
/// | `SRTP_AES128_CM_HMAC_SHA1_32` | `0x0002` | 16 | 14 | 4 | 10 |
/// | `SRTP_AEAD_AES_128_GCM` | `0x0007` | 16 | 12 | 16 | 16 |
/// | `SRTP_AEAD_AES_256_GCM` | `0x0008` | 32 | 12 | 16 | 16 |
///
/// The `_32` profile shortens only the SRTP tag: SRTCP keeps the 80-bit tag (RFC 5764 §4.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SrtpProfile {
    /// AES-128 in counter mode with an 80-bit HMAC-SHA1 tag (RFC 3711); mandatory to implement in WebRTC.
    Aes128CmHmacSha1_80,
    /// AES-128 in counter mode with a 32-bit HMAC-SHA1 tag on SRTP and an 80-bit tag on SRTCP.
    Aes128CmHmacSha1_32,
    /// AES-128 in Galois/counter mode with a 16-byte tag (RFC 7714).
    AeadAes128Gcm,
    /// AES-256 in Galois/counter mode with a 16-byte tag (RFC 7714).
    AeadAes256Gcm,
}

impl SrtpProfile {
    /// Every supported profile, strongest first (a reasonable DTLS `use_srtp` preference order).
    pub const ALL: [Self; 4] = [
        Self::AeadAes256Gcm,
        Self::AeadAes128Gcm,
        Self::Aes128CmHmacSha1_80,
        Self::Aes128CmHmacSha1_32,
    ];

    /// The 16-bit `SRTPProtectionProfile` value of the DTLS `use_srtp` extension.
    pub const fn dtls_id(self) -> u16 {
        match self {
            Self::Aes128CmHmacSha1_80 => 0x0001,
            Self::Aes128CmHmacSha1_32 => 0x0002,
            Self::AeadAes128Gcm => 0x0007,
            Self::AeadAes256Gcm => 0x0008,
        }
    }

    /// The profile with DTLS `use_srtp` id `id`, if it is one we support.
    pub const fn from_dtls_id(id: u16) -> Option<Self> {
        match id {
            0x0001 => Some(Self::Aes128CmHmacSha1_80),
            0x0002 => Some(Self::Aes128CmHmacSha1_32),
            0x0007 => Some(Self::AeadAes128Gcm),
            0x0008 => Some(Self::AeadAes256Gcm),
            _ => None,
        }
    }

    /// The registered name (RFC 5764 §4.1.2, RFC 7714 §14.2), e.g. `SRTP_AES128_CM_HMAC_SHA1_80`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
            Self::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
            Self::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Self::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// The name as OpenSSL's `SSL_CTX_set_tlsext_use_srtp` spells it (`SRTP_AES128_CM_SHA1_80`, …).
    pub const fn openssl_name(self) -> &'static str {
        match self {
            Self::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
            Self::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_SHA1_32",
            Self::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Self::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// The profile named `name`, in the RFC's or OpenSSL's spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name || p.openssl_name() == name)
    }

    /// Master key length in bytes.
    pub const fn master_key_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 | Self::Aes128CmHmacSha1_32 | Self::AeadAes128Gcm => 16,
            Self::AeadAes256Gcm => 32,
        }
    }

    /// Master salt length in bytes.
    pub const fn master_salt_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 | Self::Aes128CmHmacSha1_32 => 14,
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 12,
        }
    }

    /// Authentication tag length of SRTP packets in bytes.
    pub const fn rtp_auth_tag_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 => 10,
            Self::Aes128CmHmacSha1_32 => 4,
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
        }
    }

    /// Authentication tag length of SRTCP packets in bytes.
    pub const fn rtcp_auth_tag_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 | Self::Aes128CmHmacSha1_32 => 10,
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
        }
    }

    /// Bytes protecting an RTP packet appends (the tag; no MKI is used).
    pub const fn rtp_trailer_len(self) -> usize {
        self.rtp_auth_tag_len()
    }

    /// Bytes protecting an RTCP packet appends (E bit and SRTCP index, then the tag).
    pub const fn rtcp_trailer_len(self) -> usize {
        SRTCP_INDEX_LEN + self.rtcp_auth_tag_len()
    }

    /// Whether the profile is an AEAD (GCM) profile.
    pub const fn is_aead(self) -> bool {
        matches!(self, Self::AeadAes128Gcm | Self::AeadAes256Gcm)
    }

    /// Length of the DTLS exporter output this profile needs: two master keys and two master salts.
    pub const fn keying_material_len(self) -> usize {
        2 * (self.master_key_len() + self.master_salt_len())
    }
}

impl fmt::Display for SrtpProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtls_ids_round_trip() {
        for p in SrtpProfile::ALL {
            assert_eq!(SrtpProfile::from_dtls_id(p.dtls_id()), Some(p));
            assert_eq!(SrtpProfile::from_name(p.name()), Some(p));
            assert_eq!(SrtpProfile::from_name(p.openssl_name()), Some(p));
        }
        assert_eq!(SrtpProfile::from_dtls_id(0x0003), None);
        assert_eq!(SrtpProfile::from_name("SRTP_NULL_SHA1_80"), None);
    }

    #[test]
    fn lengths_match_rfcs() {
        use SrtpProfile::{AeadAes128Gcm, AeadAes256Gcm, Aes128CmHmacSha1_32, Aes128CmHmacSha1_80};
        // RFC 5764 §4.1.2
        assert_eq!(Aes128CmHmacSha1_80.keying_material_len(), 60);
        assert_eq!(Aes128CmHmacSha1_32.rtp_auth_tag_len(), 4);
        assert_eq!(Aes128CmHmacSha1_32.rtcp_auth_tag_len(), 10);
        assert_eq!(Aes128CmHmacSha1_80.rtcp_trailer_len(), 14);
        // RFC 7714 §14.2
        assert_eq!(AeadAes128Gcm.keying_material_len(), 56);
        assert_eq!(AeadAes256Gcm.keying_material_len(), 88);
        assert_eq!(AeadAes256Gcm.rtcp_trailer_len(), 20);
        for p in SrtpProfile::ALL {
            assert!(p.master_key_len() + p.master_salt_len() <= MAX_MASTER_KEY_AND_SALT_LEN);
        }
    }
}
