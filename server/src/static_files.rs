//! The built site's files. `/pkg/` (scripts, WASM, styles) is sent from disk as the build
//! compressed it. The favicon, asked for with every page a browser opens, is read once at start
//! and sent from memory, with an `ETag` so a browser's revalidation costs no body.

use std::path::Path;

use axum::{
    body::{Body, Bytes},
    response::Response,
    routing::get,
    Router,
};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use leptos::prelude::LeptosOptions;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

/// Served directly rather than through the page fallback, which would set up a page's context
/// for every file.
pub fn router<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let root = Path::new(options.site_root.as_ref());
    let pkg = options.site_pkg_dir.as_ref();
    let files = ServeDir::new(root.join(pkg))
        .precompressed_br()
        .precompressed_gzip();
    let router = Router::new().nest_service(&format!("/{pkg}"), files);
    // The one file of `public/`; a new one there needs its route here. A site built without it
    // answers 404 there, as any missing file does.
    match InMemory::read(&root.join("favicon.svg"), "image/svg+xml") {
        Some(favicon) => router.route(
            "/favicon.svg",
            get(move |headers: HeaderMap| async move { favicon.respond(&headers) }),
        ),
        None => router,
    }
}

/// A file's bytes, and those the build compressed beside it (`.br`, `.gz`) when there are.
#[derive(Clone)]
struct InMemory {
    content_type: HeaderValue,
    etag: HeaderValue,
    plain: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl InMemory {
    fn read(path: &Path, content_type: &'static str) -> Option<Self> {
        let plain = std::fs::read(path).ok()?;
        let beside = |extension: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(extension);
            std::fs::read(name).ok().map(Bytes::from)
        };
        // Named by content, so every server behind a load balancer gives the same tag.
        let digest = Sha256::digest(&plain);
        let tag: String = digest[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let etag = format!("\"{tag}\"");
        Some(Self {
            content_type: HeaderValue::from_static(content_type),
            etag: HeaderValue::from_str(&etag).ok()?,
            plain: plain.into(),
            brotli: beside(".br"),
            gzip: beside(".gz"),
        })
    }

    fn respond(&self, request: &HeaderMap) -> Response {
        let fresh = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|tag| tag.trim() == "*" || tag.trim() == self.etag);
        let (status, encoding, body) = if fresh {
            (StatusCode::NOT_MODIFIED, None, Bytes::new())
        } else {
            match (&self.brotli, &self.gzip) {
                (Some(brotli), _) if accepts(request, "br") => {
                    (StatusCode::OK, Some("br"), brotli.clone())
                }
                (_, Some(gzip)) if accepts(request, "gzip") => {
                    (StatusCode::OK, Some("gzip"), gzip.clone())
                }
                _ => (StatusCode::OK, None, self.plain.clone()),
            }
        };
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        headers.insert(header::ETAG, self.etag.clone());
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if self.brotli.is_some() || self.gzip.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

/// Whether `Accept-Encoding` names `encoding` with a quality above zero.
fn accepts(request: &HeaderMap, encoding: &str) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let named = parts
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case(encoding));
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            named && !refused
        })
}
