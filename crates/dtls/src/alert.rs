//! DTLS alerts (RFC 5246 §7.2, the registry of RFC 8447): the level and description of one that was sent or
//! received.

use std::fmt;

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlertLevel {
    /// `warning` (1): the connection may go on.
    Warning,
    /// `fatal` (2): the connection ends.
    Fatal,
    /// A level no specification defines.
    Unknown(u8),
}

impl AlertLevel {
    /// The level of wire value `value`.
    pub fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Warning,
            2 => Self::Fatal,
            other => Self::Unknown(other),
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Warning => 1,
            Self::Fatal => 2,
            Self::Unknown(v) => v,
        }
    }
}

impl fmt::Display for AlertLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Warning => f.write_str("warning"),
            Self::Fatal => f.write_str("fatal"),
            Self::Unknown(v) => write!(f, "level {v}"),
        }
    }
}

/// Declares the alert descriptions with their wire values and registry names.
macro_rules! descriptions {
    ($($(#[$doc:meta])* $variant:ident = $value:literal, $name:literal;)*) => {
        /// What an alert reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum AlertDescription {
            $($(#[$doc])* $variant,)*
            /// A description not in the registry.
            Unknown(u8),
        }

        impl AlertDescription {
            /// The description of wire value `value`.
            pub fn from_u8(value: u8) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }

            /// The wire value.
            pub fn to_u8(self) -> u8 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(v) => v,
                }
            }

            /// The registry's name (`bad_certificate`), or `None` for an unknown description.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($name),)*
                    Self::Unknown(_) => None,
                }
            }
        }
    };
}

descriptions! {
    /// The connection is being closed (`close_notify`).
    CloseNotify = 0, "close_notify";
    /// A message arrived where none of its type belongs.
    UnexpectedMessage = 10, "unexpected_message";
    /// A record failed authentication.
    BadRecordMac = 20, "bad_record_mac";
    /// A record could not be decrypted (obsolete).
    DecryptionFailed = 21, "decryption_failed";
    /// A record was longer than allowed.
    RecordOverflow = 22, "record_overflow";
    /// Decompression failed (obsolete).
    DecompressionFailure = 30, "decompression_failure";
    /// No acceptable set of security parameters could be negotiated.
    HandshakeFailure = 40, "handshake_failure";
    /// No certificate was available (SSL 3.0 only).
    NoCertificate = 41, "no_certificate";
    /// A certificate was corrupt or did not verify (here: its fingerprint matched none expected).
    BadCertificate = 42, "bad_certificate";
    /// A certificate was of a type not supported.
    UnsupportedCertificate = 43, "unsupported_certificate";
    /// A certificate was revoked.
    CertificateRevoked = 44, "certificate_revoked";
    /// A certificate has expired or is not yet valid.
    CertificateExpired = 45, "certificate_expired";
    /// A certificate could not be accepted for some other reason.
    CertificateUnknown = 46, "certificate_unknown";
    /// A field of the handshake was out of range or inconsistent.
    IllegalParameter = 47, "illegal_parameter";
    /// The certificate chain leads to no trusted authority.
    UnknownCa = 48, "unknown_ca";
    /// The peer is not allowed to go on with the handshake.
    AccessDenied = 49, "access_denied";
    /// A message could not be decoded.
    DecodeError = 50, "decode_error";
    /// A handshake cryptographic operation failed (a signature, or the Finished).
    DecryptError = 51, "decrypt_error";
    /// Export restrictions (obsolete).
    ExportRestriction = 60, "export_restriction";
    /// The protocol version offered is not supported.
    ProtocolVersion = 70, "protocol_version";
    /// The server requires stronger ciphers than the client offers.
    InsufficientSecurity = 71, "insufficient_security";
    /// An error unrelated to the peer or the protocol.
    InternalError = 80, "internal_error";
    /// A downgrade was detected.
    InappropriateFallback = 86, "inappropriate_fallback";
    /// The handshake is being cancelled.
    UserCanceled = 90, "user_canceled";
    /// Renegotiation was refused.
    NoRenegotiation = 100, "no_renegotiation";
    /// A required extension was missing.
    MissingExtension = 109, "missing_extension";
    /// An extension appeared that may not appear there.
    UnsupportedExtension = 110, "unsupported_extension";
    /// The server name indicated is not known.
    UnrecognizedName = 112, "unrecognized_name";
    /// A certificate status response was bad.
    BadCertificateStatusResponse = 113, "bad_certificate_status_response";
    /// A PSK identity is not known.
    UnknownPskIdentity = 115, "unknown_psk_identity";
    /// A certificate was required and none was given.
    CertificateRequired = 116, "certificate_required";
    /// No application protocol (ALPN) could be agreed.
    NoApplicationProtocol = 120, "no_application_protocol";
}

impl fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "alert {}", self.to_u8()),
        }
    }
}

/// One alert: its level and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    /// How serious it is.
    pub level: AlertLevel,
    /// What it reports.
    pub description: AlertDescription,
}

impl Alert {
    /// The alert of the two wire bytes (level, description).
    pub fn from_wire(level: u8, description: u8) -> Self {
        Self {
            level: AlertLevel::from_u8(level),
            description: AlertDescription::from_u8(description),
        }
    }

    /// Whether it ends the connection.
    pub fn is_fatal(&self) -> bool {
        self.level == AlertLevel::Fatal
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.level, self.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_value_round_trips() {
        for v in 0..=u8::MAX {
            assert_eq!(AlertDescription::from_u8(v).to_u8(), v);
            assert_eq!(AlertLevel::from_u8(v).to_u8(), v);
        }
        assert_eq!(AlertDescription::from_u8(42), AlertDescription::BadCertificate);
        assert_eq!(AlertDescription::from_u8(200), AlertDescription::Unknown(200));
        assert_eq!(Alert::from_wire(2, 40).to_string(), "fatal handshake_failure");
        assert_eq!(Alert::from_wire(7, 201).to_string(), "level 7 alert 201");
        assert!(Alert::from_wire(2, 0).is_fatal() && !Alert::from_wire(1, 0).is_fatal());
    }
}
