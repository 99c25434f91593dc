//! The person's language: from the Language menu's cookie, else the browser's, and as stored.

#![cfg(feature = "ssr")]

use http::{header, HeaderMap};

use super::request::cookie;
use crate::i18n::Locale;

/// The language chosen with the Language menu (the `lang` cookie), else the browser's.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    let chosen = cookie(headers, "lang");
    let accepted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .filter_map(|tag| tag.split(';').next())
        .map(|tag| tag.trim().to_ascii_lowercase())
        .find(|tag| tag.starts_with("nl") || tag.starts_with("en"));
    match chosen.or(accepted) {
        Some(tag) if tag.starts_with("nl") => Locale::nl,
        _ => Locale::en,
    }
}

/// How a language is stored with a member.
pub fn locale_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::nl => "nl",
        Locale::en => "en",
    }
}

/// A stored language tag; anything unknown is English.
pub fn locale_of_tag(tag: &str) -> Locale {
    match tag {
        "nl" => Locale::nl,
        _ => Locale::en,
    }
}
