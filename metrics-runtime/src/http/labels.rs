//! The labels of the HTTP metrics: the method, the status (a class, or the
//! exact registered code) and the label sets the layer records with.

use metricate_spec::Label;

use crate::{CappedLabel, LabelSet, LabelValue};

/// The request method: the nine methods of RFC 9110 and RFC 5789 (`PATCH`),
/// and `other` for any extension method, so that a client inventing methods
/// adds no series. Values are lowercase, like every value the derives render.
///
/// ```
/// use metricate::LabelValue;
/// use metricate::http::HttpMethod;
///
/// assert_eq!(HttpMethod::from_method(&http::Method::GET).as_str(), "get");
/// assert_eq!(HttpMethod::from_method(&http::Method::from_bytes(b"PURGE").unwrap()), HttpMethod::Other);
/// assert_eq!(HttpMethod::CARDINALITY, 10);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH`
    Patch,
    /// Any other method.
    Other,
}

impl HttpMethod {
    /// The label value of a request's method.
    pub fn from_method(method: &::http::Method) -> HttpMethod {
        match *method {
            ::http::Method::GET => HttpMethod::Get,
            ::http::Method::HEAD => HttpMethod::Head,
            ::http::Method::POST => HttpMethod::Post,
            ::http::Method::PUT => HttpMethod::Put,
            ::http::Method::DELETE => HttpMethod::Delete,
            ::http::Method::CONNECT => HttpMethod::Connect,
            ::http::Method::OPTIONS => HttpMethod::Options,
            ::http::Method::TRACE => HttpMethod::Trace,
            ::http::Method::PATCH => HttpMethod::Patch,
            _ => HttpMethod::Other,
        }
    }
}

/// A label of response statuses: [`StatusClass`] (five values) or the exact
/// [`StatusCode`] (63). The layer records `Option<S>`: `None`, rendered
/// `unknown`, when there was no response (the service failed, or the request
/// was cancelled before the response head) or its status falls outside the
/// label's values.
///
/// ```
/// use metricate::http::{StatusClass, StatusLabel};
///
/// assert_eq!(StatusClass::from_status(http::StatusCode::NOT_FOUND), Some(StatusClass::ClientError));
/// ```
pub trait StatusLabel: LabelValue + Copy + Send + Sync + 'static {
    /// The label value of `status`, if it has one.
    fn from_status(status: ::http::StatusCode) -> Option<Self>;
}

/// The class of a response status, by its first digit: `1xx` to `5xx`.
///
/// ```
/// use metricate::LabelValue;
/// use metricate::http::{StatusClass, StatusLabel};
///
/// let class = StatusClass::from_status(http::StatusCode::INTERNAL_SERVER_ERROR).unwrap();
/// assert_eq!(class.as_str(), "5xx");
/// // `http` accepts codes up to 999; they belong to no class.
/// assert_eq!(StatusClass::from_status(http::StatusCode::from_u16(600).unwrap()), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
pub enum StatusClass {
    /// `1xx`: informational.
    #[label(rename = "1xx")]
    Informational,
    /// `2xx`: success.
    #[label(rename = "2xx")]
    Success,
    /// `3xx`: redirection.
    #[label(rename = "3xx")]
    Redirection,
    /// `4xx`: client error.
    #[label(rename = "4xx")]
    ClientError,
    /// `5xx`: server error.
    #[label(rename = "5xx")]
    ServerError,
}

impl StatusLabel for StatusClass {
    fn from_status(status: ::http::StatusCode) -> Option<StatusClass> {
        match status.as_u16() / 100 {
            1 => Some(StatusClass::Informational),
            2 => Some(StatusClass::Success),
            3 => Some(StatusClass::Redirection),
            4 => Some(StatusClass::ClientError),
            5 => Some(StatusClass::ServerError),
            _ => None,
        }
    }
}

macro_rules! status_codes {
    ($($code:literal $text:tt $variant:ident $reason:literal,)*) => {
        /// The exact response status: each code of the IANA HTTP status
        /// code registry (and `418`, which the `http` crate names), and
        /// `other` for any unregistered code, so that a service inventing
        /// codes adds no series. 63 values: a family labelled with it
        /// usually needs `#[metric(max_series = N)]`.
        ///
        /// ```
        /// use metricate::LabelValue;
        /// use metricate::http::{StatusCode, StatusLabel};
        ///
        /// let code = StatusCode::from_status(http::StatusCode::TOO_MANY_REQUESTS).unwrap();
        /// assert_eq!(code, StatusCode::TooManyRequests);
        /// assert_eq!(code.as_str(), "429");
        /// assert_eq!(StatusCode::from_status(http::StatusCode::from_u16(299).unwrap()), Some(StatusCode::Other));
        /// assert_eq!(StatusCode::CARDINALITY, 63);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
        pub enum StatusCode {
            $(
                #[doc = concat!("`", $text, " ", $reason, "`")]
                #[label(rename = $text)]
                $variant,
            )*
            /// Any code not in the registry.
            Other,
        }

        impl StatusCode {
            /// The label value of a numeric code.
            pub fn from_u16(code: u16) -> StatusCode {
                match code {
                    $($code => StatusCode::$variant,)*
                    _ => StatusCode::Other,
                }
            }
        }
    };
}

status_codes! {
    100 "100" Continue "Continue",
    101 "101" SwitchingProtocols "Switching Protocols",
    102 "102" Processing "Processing",
    103 "103" EarlyHints "Early Hints",
    200 "200" Ok "OK",
    201 "201" Created "Created",
    202 "202" Accepted "Accepted",
    203 "203" NonAuthoritativeInformation "Non-Authoritative Information",
    204 "204" NoContent "No Content",
    205 "205" ResetContent "Reset Content",
    206 "206" PartialContent "Partial Content",
    207 "207" MultiStatus "Multi-Status",
    208 "208" AlreadyReported "Already Reported",
    226 "226" ImUsed "IM Used",
    300 "300" MultipleChoices "Multiple Choices",
    301 "301" MovedPermanently "Moved Permanently",
    302 "302" Found "Found",
    303 "303" SeeOther "See Other",
    304 "304" NotModified "Not Modified",
    305 "305" UseProxy "Use Proxy",
    307 "307" TemporaryRedirect "Temporary Redirect",
    308 "308" PermanentRedirect "Permanent Redirect",
    400 "400" BadRequest "Bad Request",
    401 "401" Unauthorized "Unauthorized",
    402 "402" PaymentRequired "Payment Required",
    403 "403" Forbidden "Forbidden",
    404 "404" NotFound "Not Found",
    405 "405" MethodNotAllowed "Method Not Allowed",
    406 "406" NotAcceptable "Not Acceptable",
    407 "407" ProxyAuthenticationRequired "Proxy Authentication Required",
    408 "408" RequestTimeout "Request Timeout",
    409 "409" Conflict "Conflict",
    410 "410" Gone "Gone",
    411 "411" LengthRequired "Length Required",
    412 "412" PreconditionFailed "Precondition Failed",
    413 "413" ContentTooLarge "Content Too Large",
    414 "414" UriTooLong "URI Too Long",
    415 "415" UnsupportedMediaType "Unsupported Media Type",
    416 "416" RangeNotSatisfiable "Range Not Satisfiable",
    417 "417" ExpectationFailed "Expectation Failed",
    418 "418" ImATeapot "I'm a teapot",
    421 "421" MisdirectedRequest "Misdirected Request",
    422 "422" UnprocessableContent "Unprocessable Content",
    423 "423" Locked "Locked",
    424 "424" FailedDependency "Failed Dependency",
    425 "425" TooEarly "Too Early",
    426 "426" UpgradeRequired "Upgrade Required",
    428 "428" PreconditionRequired "Precondition Required",
    429 "429" TooManyRequests "Too Many Requests",
    431 "431" RequestHeaderFieldsTooLarge "Request Header Fields Too Large",
    451 "451" UnavailableForLegalReasons "Unavailable For Legal Reasons",
    500 "500" InternalServerError "Internal Server Error",
    501 "501" NotImplemented "Not Implemented",
    502 "502" BadGateway "Bad Gateway",
    503 "503" ServiceUnavailable "Service Unavailable",
    504 "504" GatewayTimeout "Gateway Timeout",
    505 "505" HttpVersionNotSupported "HTTP Version Not Supported",
    506 "506" VariantAlsoNegotiates "Variant Also Negotiates",
    507 "507" InsufficientStorage "Insufficient Storage",
    508 "508" LoopDetected "Loop Detected",
    510 "510" NotExtended "Not Extended",
    511 "511" NetworkAuthenticationRequired "Network Authentication Required",
}

impl StatusLabel for StatusCode {
    fn from_status(status: ::http::StatusCode) -> Option<StatusCode> {
        Some(StatusCode::from_u16(status.as_u16()))
    }
}

/// The labels of what is known when a request arrives: `method` and
/// `route`. The layer records the in-flight gauge and the request body size
/// with them. `R` is the route label, a [`capped_label!`](crate::capped_label)
/// type.
///
/// Series: `10 × (cap + 1)`. Quiet by default ([`LabelSet::QUIET`]): a
/// family over it exposes only the combinations recorded to.
///
/// ```
/// use metricate::LabelSet;
/// use metricate::http::ByRoute;
///
/// metricate::capped_label! {
///     /// A route template.
///     pub struct Route: 15;
/// }
///
/// assert_eq!(ByRoute::<Route>::CARDINALITY, 10 * 16);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ByRoute<R> {
    /// The request method.
    pub method: HttpMethod,
    /// The route template, or `unmatched`.
    pub route: R,
}

impl<R: CappedLabel> LabelSet for ByRoute<R> {
    const CARDINALITY: usize = crate::__private::cardinality_product(&[HttpMethod::CARDINALITY, R::CARDINALITY]);
    const LABELS: &'static [Label] = &[
        Label::new("method", HttpMethod::VALUES, HttpMethod::ESCAPED, false, None),
        Label::new("route", R::VALUES, R::ESCAPED, R::UNKNOWN, R::CAPPED),
    ];
    const QUIET: bool = true;

    #[inline]
    fn index(&self) -> usize {
        self.method.index() * R::CARDINALITY + self.route.index()
    }
}

/// The labels of a finished exchange: `method`, `route` and `status`. The
/// layer records the request count, the duration and the response body size
/// with them. `status` is `unknown` when there was no response.
///
/// Series: `10 × (cap + 1) × (S::CARDINALITY + 1)`; with [`StatusClass`],
/// `60 × (cap + 1)`, so a cap of 15 gives 960 series, within rule L6's
/// default limit of 1,000. Quiet by default ([`LabelSet::QUIET`]): a family
/// over it exposes only the combinations recorded to.
///
/// ```
/// use metricate::LabelSet;
/// use metricate::http::{ByResponse, StatusClass, StatusCode};
///
/// metricate::capped_label! {
///     /// A route template.
///     pub struct Route: 15;
/// }
///
/// assert_eq!(ByResponse::<Route, StatusClass>::CARDINALITY, 10 * 16 * 6);
/// assert_eq!(ByResponse::<Route, StatusCode>::CARDINALITY, 10 * 16 * 64);
/// assert!(ByResponse::<Route>::QUIET);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ByResponse<R, S = StatusClass> {
    /// The request method.
    pub method: HttpMethod,
    /// The route template, or `unmatched`.
    pub route: R,
    /// The response status; `None` (`unknown`) without a response.
    pub status: Option<S>,
}

impl<R: CappedLabel, S: StatusLabel> LabelSet for ByResponse<R, S> {
    const CARDINALITY: usize = crate::__private::cardinality_product(&[
        HttpMethod::CARDINALITY,
        R::CARDINALITY,
        <Option<S> as LabelValue>::CARDINALITY,
    ]);
    const LABELS: &'static [Label] = &[
        Label::new("method", HttpMethod::VALUES, HttpMethod::ESCAPED, false, None),
        Label::new("route", R::VALUES, R::ESCAPED, R::UNKNOWN, R::CAPPED),
        Label::new("status", S::VALUES, S::ESCAPED, true, S::CAPPED),
    ];
    const QUIET: bool = true;

    #[inline]
    fn index(&self) -> usize {
        let index = self.method.index() * R::CARDINALITY + self.route.index();
        index * <Option<S> as LabelValue>::CARDINALITY + self.status.index()
    }
}
