use crate::state::CaseState;

/// What the program refuses. Every message says what would be accepted instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// A transition the state machine does not allow.
    #[error("a case in state {from} cannot move to {to}; from {from} it can move to: {allowed}")]
    IllegalTransition {
        from: CaseState,
        to: CaseState,
        allowed: String,
    },
    /// A transition that is allowed in principle but lacks what it needs.
    #[error("cannot move the case from {from} to {to}: {reason}")]
    TransitionPrecondition {
        from: CaseState,
        to: CaseState,
        reason: String,
    },
    /// A customer notification without one of FDA's four elements.
    #[error("the customer notification lacks {element} (postmarket guidance §VII.B(2)({letter})): {hint}")]
    MissingNoticeElement {
        element: &'static str,
        letter: char,
        hint: &'static str,
    },
    /// Any other invalid value, named.
    #[error("{0}")]
    Invalid(String),
}
