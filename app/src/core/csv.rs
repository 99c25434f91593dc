//! CSV downloads: records written safely, streamed to the client as the database yields them.

#![cfg(feature = "ssr")]

use axum::{
    body::Body,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use super::error::AppError;

/// A stream fed by a task through a small channel: the task waits while the client reads.
pub fn fed_stream<F, Fut>(
    produce: F,
) -> impl futures::Stream<Item = Result<String, std::io::Error>> + Send + 'static
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<String, std::io::Error>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, mut receiver) = tokio::sync::mpsc::channel(64);
    tokio::spawn(produce(sender));
    futures::stream::poll_fn(move |context| receiver.poll_recv(context))
}

/// Sends `header`, then the line `line` makes of each record, until the records end, the client
/// goes away, or a record fails (which ends the download short rather than passing for all of it).
pub async fn send_records<T, E: std::fmt::Display>(
    sender: tokio::sync::mpsc::Sender<Result<String, std::io::Error>>,
    header: &str,
    mut records: impl futures::Stream<Item = Result<T, E>> + Unpin,
    line: impl Fn(T) -> Result<String, AppError>,
) {
    use futures::StreamExt;
    if sender.send(Ok(header.to_owned())).await.is_err() {
        return;
    }
    while let Some(record) = records.next().await {
        let line = record
            .map_err(|error| error.to_string())
            .and_then(|record| line(record).map_err(|error| error.to_string()))
            .map_err(std::io::Error::other);
        let failed = line.is_err();
        if sender.send(line).await.is_err() || failed {
            break;
        }
    }
}

/// One CSV record: fields with a comma, quote or line break are quoted, and a field that a
/// spreadsheet would run as a formula is prefixed with an apostrophe.
pub fn csv_line(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|field| {
            let field = if field.starts_with(['=', '+', '-', '@']) {
                format!("'{field}")
            } else {
                (*field).to_owned()
            };
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// A download of `rows` named `filename`.
pub fn csv_response(
    rows: impl futures::Stream<Item = Result<String, std::io::Error>> + Send + 'static,
    filename: &'static str,
) -> Response {
    let mut response = Body::from_stream(rows).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_line(&["Ann", "ann@x.com"]), "Ann,ann@x.com\n");
        assert_eq!(csv_line(&["de Vries, Ann"]), "\"de Vries, Ann\"\n");
        assert_eq!(csv_line(&["say \"hi\""]), "\"say \"\"hi\"\"\"\n");
        assert_eq!(csv_line(&["=HYPERLINK(1)"]), "'=HYPERLINK(1)\n");
    }
}
