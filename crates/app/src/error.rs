use postmarket_store::StoreError;

/// How a front end should present an error: the CLI maps these to exit codes 2 and 3
/// (DESIGN.md §8), the server to 4xx and 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request was wrong; the user can fix it.
    BadInput,
    /// Something the request named does not exist.
    NotFound,
    /// The request did not prove who sent it (no, wrong or expired credentials).
    Unauthorized,
    /// The sender is known but may not do this.
    Forbidden,
    /// The environment failed (database unreachable, disk, a bug).
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] postmarket_model::InvalidValue),
    /// An SBOM file that cannot be used: the file, then the code, the place and what was expected.
    #[error("{file}: {error}")]
    Sbom {
        file: String,
        error: postmarket_sbom::ParseError,
    },
    /// A file that cannot be read.
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Any other request the user can fix; the message names the file, the place and what was
    /// expected.
    #[error("{0}")]
    BadInput(String),
    /// Something the request named does not exist (beyond the store's own lookups).
    #[error("{0}")]
    NotFound(String),
    /// The environment failed (network, disk) in a way the message explains.
    #[error("{0}")]
    Internal(String),
    /// Credentials missing or wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// The account may not do this; the message says why.
    #[error("{0}")]
    Forbidden(String),
}

impl AppError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Store(e) if e.is_not_found() => ErrorKind::NotFound,
            Self::Store(e) if e.is_user_error() => ErrorKind::BadInput,
            Self::Store(_) => ErrorKind::Internal,
            Self::Invalid(_) | Self::Sbom { .. } | Self::Read { .. } | Self::BadInput(_) => {
                ErrorKind::BadInput
            }
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Internal(_) => ErrorKind::Internal,
            Self::Unauthorized(_) => ErrorKind::Unauthorized,
            Self::Forbidden(_) => ErrorKind::Forbidden,
        }
    }
}
