//! Where a request's route template comes from: a request extension the
//! router sets (axum's `MatchedPath`), a function of the request (a hand
//! written hyper service), or the gRPC path (tonic).
//!
//! A route source answers `None` for a request that matched no route; the
//! layer records it as `unmatched`, never as its path: a path is chosen by
//! the client, a template by the program.

use std::marker::PhantomData;

use ::http::request::Parts;

/// The route template of a request, read from the request head before the
/// service runs. `None` when no route matched.
///
/// Implemented by [`Extension`], [`FromFn`] and [`Grpc`]; implement it for a
/// router of your own.
///
/// ```
/// use http::request::Parts;
/// use metricate::http::route::RouteSource;
///
/// /// Every request is one route, named after the service.
/// #[derive(Clone)]
/// struct Single;
///
/// impl RouteSource for Single {
///     fn route<'a>(&'a self, _request: &'a Parts) -> Option<&'a str> {
///         Some("/")
///     }
/// }
///
/// let (parts, ()) = http::Request::new(()).into_parts();
/// assert_eq!(Single.route(&parts), Some("/"));
/// ```
pub trait RouteSource: Clone + Send + Sync + 'static {
    /// The route template of `request`, or `None` when no route matched.
    fn route<'a>(&'a self, request: &'a Parts) -> Option<&'a str>;
}

/// The route template from a request extension of type `T`, which the
/// router inserts before the layer sees the request. With axum, that is
/// [`MatchedPath`](https://docs.rs/axum/0.8/axum/extract/struct.MatchedPath.html)
/// when the layer is added with `Router::layer` (the router sets it for every
/// matched route, nested ones included, before it calls the route's
/// layers); a request no route matched, handled by the fallback, has none.
///
/// ```
/// use metricate::http::route::{self, RouteSource};
///
/// #[derive(Clone)]
/// struct Template(&'static str);
///
/// let source = route::extension(|t: &Template| t.0);
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(Template("/users/{id}"));
/// let (parts, ()) = request.into_parts();
/// assert_eq!(source.route(&parts), Some("/users/{id}"));
/// ```
pub fn extension<T: Send + Sync + 'static>(as_str: fn(&T) -> &str) -> Extension<T> {
    Extension { as_str, extension: PhantomData }
}

/// See [`extension`].
pub struct Extension<T> {
    as_str: fn(&T) -> &str,
    extension: PhantomData<fn(&T)>,
}

impl<T> Clone for Extension<T> {
    fn clone(&self) -> Extension<T> {
        Extension { as_str: self.as_str, extension: PhantomData }
    }
}

impl<T> std::fmt::Debug for Extension<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extension").field("type", &std::any::type_name::<T>()).finish()
    }
}

impl<T: Send + Sync + 'static> RouteSource for Extension<T> {
    #[inline]
    fn route<'a>(&'a self, request: &'a Parts) -> Option<&'a str> {
        request.extensions.get::<T>().map(self.as_str)
    }
}

/// The route template from a function of the request head: for a service
/// whose router is its own (a hyper `service_fn` matching paths), the
/// function returns the template of the route it would take, and `None`
/// for a path it does not serve. Never return the path itself unless every
/// path is a template (as gRPC's are: see [`grpc`]).
///
/// ```
/// use metricate::http::route::{self, RouteSource};
///
/// let source = route::from_fn(|request| match request.uri.path() {
///     "/" => Some("/"),
///     path if path.starts_with("/users/") => Some("/users/{id}"),
///     _ => None,
/// });
/// let (parts, ()) = http::Request::get("/users/42").body(()).unwrap().into_parts();
/// assert_eq!(source.route(&parts), Some("/users/{id}"));
/// let (parts, ()) = http::Request::get("/wp-admin").body(()).unwrap().into_parts();
/// assert_eq!(source.route(&parts), None);
/// ```
pub fn from_fn<F>(route: F) -> FromFn<F>
where
    F: Fn(&Parts) -> Option<&str> + Clone + Send + Sync + 'static,
{
    FromFn(route)
}

/// See [`from_fn`].
#[derive(Clone, Debug)]
pub struct FromFn<F>(F);

impl<F> RouteSource for FromFn<F>
where
    F: Fn(&Parts) -> Option<&str> + Clone + Send + Sync + 'static,
{
    #[inline]
    fn route<'a>(&'a self, request: &'a Parts) -> Option<&'a str> {
        (self.0)(request)
    }
}

/// The route template of a gRPC request: its path, `/package.Service/Method`,
/// which names the method and is a template already (tonic routes by it).
/// A request that is not gRPC (its `content-type` is not `application/grpc`,
/// `application/grpc-web` or `application/grpc-web-text`, with or without a
/// `+format`) or whose path does not have that shape is unmatched.
///
/// A client may still call methods that do not exist; each distinct one
/// takes a slot of the route label's cap until it is full, after which they
/// share `other`. [`Grpc::services`] keeps only the services you serve.
///
/// ```
/// use metricate::http::route::{self, RouteSource};
///
/// let call = |path: &str| {
///     let request = http::Request::post(path).header("content-type", "application/grpc").body(()).unwrap();
///     request.into_parts().0
/// };
/// let source = route::grpc();
/// assert_eq!(source.route(&call("/helloworld.Greeter/SayHello")), Some("/helloworld.Greeter/SayHello"));
/// assert_eq!(source.route(&call("/not/a/grpc/path")), None);
/// let web = http::Request::post("/helloworld.Greeter/SayHello")
///     .header("content-type", "application/grpc-web+proto")
///     .body(())
///     .unwrap();
/// assert_eq!(source.route(&web.into_parts().0), Some("/helloworld.Greeter/SayHello"));
/// let json = http::Request::post("/helloworld.Greeter/SayHello")
///     .header("content-type", "application/json")
///     .body(())
///     .unwrap();
/// assert_eq!(source.route(&json.into_parts().0), None);
///
/// let served = route::grpc().services(&["helloworld.Greeter"]);
/// assert_eq!(served.route(&call("/helloworld.Greeter/SayHello")), Some("/helloworld.Greeter/SayHello"));
/// assert_eq!(served.route(&call("/other.Service/Method")), None);
/// ```
pub fn grpc() -> Grpc {
    Grpc { services: None }
}

/// See [`grpc`].
#[derive(Clone, Debug)]
pub struct Grpc {
    services: Option<&'static [&'static str]>,
}

impl Grpc {
    /// Only these services' methods are routes (each name as the path
    /// spells it, `package.Service`: with tonic, the generated server's
    /// `NamedService::NAME`); calls to any other service are unmatched.
    #[must_use]
    pub fn services(self, services: &'static [&'static str]) -> Grpc {
        Grpc { services: Some(services) }
    }
}

impl RouteSource for Grpc {
    fn route<'a>(&'a self, request: &'a Parts) -> Option<&'a str> {
        let content_type = request.headers.get(::http::header::CONTENT_TYPE)?.as_bytes();
        // `application/grpc`, `application/grpc+proto`, `application/grpc-web`,
        // `application/grpc-web-text+proto`, with or without parameters.
        let rest = content_type.strip_prefix(b"application/grpc")?;
        let rest = rest.strip_prefix(b"-web-text").or_else(|| rest.strip_prefix(b"-web")).unwrap_or(rest);
        if !(rest.is_empty() || rest.starts_with(b"+") || rest.starts_with(b";")) {
            return None;
        }
        let path = request.uri.path();
        let (service, method) = path.strip_prefix('/')?.split_once('/')?;
        if service.is_empty() || method.is_empty() || method.contains('/') {
            return None;
        }
        match self.services {
            Some(services) if !services.contains(&service) => None,
            _ => Some(path),
        }
    }
}
