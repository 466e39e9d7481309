//! Protocol revisions and negotiation.

/// Revision 2025-11-25: the latest revision with the `initialize` handshake.
pub const V2025_11_25: &str = "2025-11-25";
/// Revision 2025-06-18.
pub const V2025_06_18: &str = "2025-06-18";
/// Revision 2025-03-26 (JSON-RPC batches allowed).
pub const V2025_03_26: &str = "2025-03-26";
/// Revision 2024-11-05 (JSON-RPC batches allowed).
pub const V2024_11_05: &str = "2024-11-05";

/// The revision offered when the peer asks for one this crate does not speak.
pub const LATEST: &str = V2025_11_25;

/// Every revision this crate negotiates, newest first.
pub const SUPPORTED: &[&str] = &[V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05];

/// A negotiated protocol revision. Ordered by date, so `v >= ProtocolVersion::V2025_06_18` reads
/// as "this session speaks 2025-06-18 or later".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// 2024-11-05.
    V2024_11_05,
    /// 2025-03-26.
    V2025_03_26,
    /// 2025-06-18.
    V2025_06_18,
    /// 2025-11-25.
    V2025_11_25,
}

impl ProtocolVersion {
    /// The newest revision.
    pub const LATEST: Self = Self::V2025_11_25;

    /// Parses a revision string this crate speaks.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            V2025_11_25 => Self::V2025_11_25,
            V2025_06_18 => Self::V2025_06_18,
            V2025_03_26 => Self::V2025_03_26,
            V2024_11_05 => Self::V2024_11_05,
            _ => return None,
        })
    }

    /// The revision's date string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2025_11_25 => V2025_11_25,
            Self::V2025_06_18 => V2025_06_18,
            Self::V2025_03_26 => V2025_03_26,
            Self::V2024_11_05 => V2024_11_05,
        }
    }

    /// The answer to a client that asked for `requested`: the same revision when we speak it,
    /// otherwise our latest (the client then decides whether to continue).
    pub fn negotiate(requested: &str) -> Self {
        Self::parse(requested).unwrap_or(Self::LATEST)
    }

    /// Whether this revision allows JSON-RPC batches (2025-03-26 and earlier).
    pub fn allows_batches(self) -> bool {
        self <= Self::V2025_03_26
    }
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_echoes_known_and_counters_unknown() {
        for v in SUPPORTED {
            assert_eq!(ProtocolVersion::negotiate(v).as_str(), *v);
        }
        assert_eq!(
            ProtocolVersion::negotiate("2099-01-01"),
            ProtocolVersion::LATEST
        );
        assert!(ProtocolVersion::V2025_03_26.allows_batches());
        assert!(!ProtocolVersion::V2025_06_18.allows_batches());
    }
}
