//! The one body type that flows through the pipeline, and the few body shapes we build:
//! in-memory bytes, a file streamed in chunks, and "already read part + the rest".

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};

/// Any error, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Errors a body may yield (origin connection reset, file read error…). A concrete type
/// rather than [`BoxError`] itself: hyper's `Into<BoxError>` bounds then hold for every
/// lifetime, which rustc cannot prove for `BoxError` inside spawned futures.
#[derive(Debug)]
pub struct BodyError(pub BoxError);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Every request and response body in the proxy: streamed, never buffered unless cached.
pub type Body = BoxBody<Bytes, BodyError>;

/// A body held in memory.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// No body.
pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// Any hyper-compatible body (e.g. `hyper::body::Incoming`) as a [`Body`].
pub fn boxed<B>(body: B) -> Body
where
    B: HttpBody<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(|e| BodyError(e.into())).boxed()
}

/// Chunks already read from `rest`, replayed before the remainder: used when a body turned
/// out too large to cache after we had started buffering it.
pub struct Prefixed {
    prefix: VecDeque<Bytes>,
    rest: Body,
}

impl Prefixed {
    pub fn body(prefix: Vec<Bytes>, rest: Body) -> Body {
        Prefixed {
            prefix: prefix.into(),
            rest,
        }
        .boxed()
    }
}

impl HttpBody for Prefixed {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if let Some(chunk) = self.prefix.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_empty() && self.rest.is_end_stream()
    }
}

/// Part of a file, read in 64 KiB chunks as the viewer consumes it. Reads are synchronous:
/// each is a short page-cache copy, cheaper than a hop to a blocking thread.
pub struct FileBody {
    file: File,
    remaining: u64,
}

const FILE_CHUNK: u64 = 64 * 1024;

impl FileBody {
    /// `file` positioned at the first byte to send; `len` bytes are sent.
    pub fn body(file: File, len: u64) -> Body {
        FileBody {
            file,
            remaining: len,
        }
        .boxed()
    }
}

impl HttpBody for FileBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = self.remaining.min(FILE_CHUNK) as usize;
        let mut buf = vec![0; want];
        match self.file.read(&mut buf) {
            Ok(0) => Poll::Ready(Some(Err(BodyError("file shrank while being sent".into())))),
            Ok(n) => {
                buf.truncate(n);
                self.remaining -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))))
            }
            Err(e) => Poll::Ready(Some(Err(BodyError(e.into())))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
