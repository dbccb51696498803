//! The request and response bodies, wrapped to count their bytes as they
//! stream: the data frames the service reads from the request, and those
//! the server sends of the response. `Content-Length` is not trusted (it is
//! absent from chunked and streamed bodies, and says what was announced,
//! not what was sent).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Buf;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use super::HttpMetrics;
use super::layer::Exchange;
use crate::HistogramRef;

/// Where a wrapped body's data bytes go as they stream, and what is done
/// when the body ends or fails.
trait Tally {
    /// Counts `bytes` more of data.
    fn add(&mut self, bytes: u64);

    /// The body ended or failed: nothing more will be counted.
    fn end(&mut self);
}

/// Implements [`Body`] for a wrapper of the body in its `inner` field: its
/// frames as they are, each data frame's bytes counted into the [`Tally`]
/// in field `$tally`, which is told when the body ends or fails.
macro_rules! counted_body {
    (impl<$($param:ident: $bound:path),*> for $ty:ty, $tally:ident) => {
        impl<$($param: $bound),*> Body for $ty {
            type Data = B::Data;
            type Error = B::Error;

            fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
                let this = self.project();
                let polled = this.inner.poll_frame(cx);
                match &polled {
                    Poll::Ready(Some(Ok(frame))) => {
                        if let Some(data) = frame.data_ref() {
                            this.$tally.add(data.remaining() as u64);
                        }
                    }
                    Poll::Ready(None | Some(Err(_))) => this.$tally.end(),
                    Poll::Pending => {}
                }
                polled
            }

            fn is_end_stream(&self) -> bool {
                self.inner.is_end_stream()
            }

            fn size_hint(&self) -> SizeHint {
                self.inner.size_hint()
            }
        }
    };
}

pin_project! {
    /// The request body the inner service receives: the original body, its
    /// data frames counted as the service reads them. The count is recorded
    /// once, in the request body size histogram, when the body ends, fails,
    /// or is dropped (so a body the service never reads counts the bytes it
    /// did read: none).
    ///
    /// Services from axum and tonic take any body; a hand-written hyper
    /// service names this type: `Request<RequestBody<Incoming>>`.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body::Body;
    /// use http_body_util::{BodyExt, Full};
    /// use metricate::http::RequestBody;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // What a test of such a service passes: a body that records nothing.
    /// let mut body = RequestBody::new(Full::new(Bytes::from_static(b"hello")));
    /// assert_eq!(body.bytes_read(), 0);
    /// let frame = body.frame().await.unwrap().unwrap();
    /// assert_eq!(frame.into_data().unwrap(), "hello");
    /// assert_eq!(body.bytes_read(), 5);
    /// assert!(body.into_inner().is_end_stream());
    /// # });
    /// ```
    pub struct RequestBody<B> {
        #[pin]
        inner: B,
        size: SizeRecorder,
    }
}

impl<B> RequestBody<B> {
    /// `inner`, counted into no histogram: for tests of services that take a
    /// `RequestBody`, and for requests that reach them without the layer.
    pub fn new(inner: B) -> RequestBody<B> {
        RequestBody { inner, size: SizeRecorder { histogram: None, bytes: 0 } }
    }

    pub(super) fn recorded(inner: B, histogram: Option<HistogramRef<'static>>) -> RequestBody<B> {
        RequestBody { inner, size: SizeRecorder { histogram, bytes: 0 } }
    }

    /// The bytes of data read so far.
    pub fn bytes_read(&self) -> u64 {
        self.size.bytes
    }

    /// The original body.
    pub fn into_inner(self) -> B {
        self.inner
    }
}

counted_body!(impl<B: Body> for RequestBody<B>, size);

impl<B> std::fmt::Debug for RequestBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBody").field("bytes_read", &self.size.bytes).finish_non_exhaustive()
    }
}

/// Bytes counted so far, and the histogram series they go to once.
struct SizeRecorder {
    histogram: Option<HistogramRef<'static>>,
    bytes: u64,
}

impl Tally for SizeRecorder {
    fn add(&mut self, bytes: u64) {
        self.bytes += bytes;
    }

    fn end(&mut self) {
        if let Some(histogram) = self.histogram.take() {
            histogram.observe(self.bytes as f64);
        }
    }
}

impl Drop for SizeRecorder {
    fn drop(&mut self) {
        self.end();
    }
}

pin_project! {
    /// The response body the layer returns: the service's body, its data
    /// frames counted as the server sends them. The exchange is recorded
    /// (request count, duration, response body size, in-flight gauge) when
    /// the body ends, fails, or is dropped: after the last byte was handed to
    /// the server, or when the client went away mid-body, or when the
    /// server dropped a body it did not need to send (a `HEAD` response, an
    /// empty body).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body_util::{BodyExt, Full};
    /// use metricate::http::{HttpMetrics, ResponseBody};
    ///
    /// // Any body type's response, through the layer, answers a
    /// // `Response<ResponseBody<B, M>>`; it is a body like any other.
    /// async fn text<M: HttpMetrics>(body: ResponseBody<Full<Bytes>, M>) -> Bytes {
    ///     body.collect().await.unwrap().to_bytes()
    /// }
    /// ```
    pub struct ResponseBody<B, M: HttpMetrics> {
        #[pin]
        inner: B,
        exchange: Option<Exchange<M>>,
    }
}

impl<B, M: HttpMetrics> ResponseBody<B, M> {
    pub(super) fn new(inner: B, exchange: Option<Exchange<M>>) -> ResponseBody<B, M> {
        ResponseBody { inner, exchange }
    }
}

counted_body!(impl<B: Body, M: HttpMetrics> for ResponseBody<B, M>, exchange);

impl<M: HttpMetrics> Tally for Option<Exchange<M>> {
    fn add(&mut self, bytes: u64) {
        if let Some(exchange) = self {
            exchange.response_bytes += bytes;
        }
    }

    fn end(&mut self) {
        // Dropping the exchange records it.
        drop(self.take());
    }
}

impl<B, M: HttpMetrics> std::fmt::Debug for ResponseBody<B, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}
