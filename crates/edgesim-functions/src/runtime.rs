//! The two CloudFront Functions runtimes and their ids.

use std::fmt;
use std::str::FromStr;

/// `FunctionConfig.Runtime`: exactly `cloudfront-js-1.0` or `cloudfront-js-2.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// `cloudfront-js-1.0`: ES5.1 plus selected ES6–ES9, synchronous handlers, njs byte strings.
    Js10,
    /// `cloudfront-js-2.0`: adds const/let, async handlers, Buffer, the `cloudfront` module.
    Js20,
}

impl Runtime {
    pub const ALL: [Runtime; 2] = [Runtime::Js10, Runtime::Js20];

    pub fn id(self) -> &'static str {
        match self {
            Runtime::Js10 => "cloudfront-js-1.0",
            Runtime::Js20 => "cloudfront-js-2.0",
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The runtime id was not one CloudFront knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown runtime {0:?}: expected cloudfront-js-1.0 or cloudfront-js-2.0")]
pub struct UnknownRuntime(pub String);

impl FromStr for Runtime {
    type Err = UnknownRuntime;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Runtime::ALL
            .into_iter()
            .find(|r| r.id() == s)
            .ok_or_else(|| UnknownRuntime(s.to_owned()))
    }
}
