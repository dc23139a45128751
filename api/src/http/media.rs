//! The media type of a GraphQL answer, chosen from the request's `Accept`
//! as GraphQL over HTTP asks ("Body", "Status Codes"): the most preferred
//! of `application/graphql-response+json` and `application/json` by
//! q-value, then by the order the client listed them; `application/json`
//! when the client states no preference between them (`*/*`) or sends no
//! `Accept` at all, as every client before `graphql-response+json` expects.
//! Nothing acceptable is a `406`.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT;

/// A media type a GraphQL answer can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Media {
    /// `application/json`: every well-formed request answers `200`, whatever
    /// its errors (the behaviour of every client that predates the draft).
    Json,
    /// `application/graphql-response+json`: a request that fails before it
    /// runs (unparsable, invalid, variables that do not coerce) answers `4xx`
    /// with no `data`; one that ran answers `200`, field errors or not.
    GraphqlResponse,
}

impl Media {
    const CANDIDATES: [(Self, &'static str); 2] = [
        (Self::Json, "application/json"),
        (Self::GraphqlResponse, "application/graphql-response+json"),
    ];

    /// The `Content-Type` of an answer: `graphql-response+json` names its
    /// encoding, as the draft advises; `application/json` has no charset
    /// parameter (RFC 8259) and stays as it always was.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }

    /// The media type the request's `Accept` prefers; `None` when it
    /// accepts neither.
    #[must_use]
    pub fn negotiate(req: &HttpRequest) -> Option<Self> {
        let ranges: Vec<Range<'_>> = req
            .headers()
            .get_all(ACCEPT)
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter(|range| !range.trim().is_empty())
            .filter_map(Range::parse)
            .collect();
        if ranges.is_empty() && req.headers().get_all(ACCEPT).all(|v| v.is_empty()) {
            return Some(Self::Json);
        }
        // Each candidate takes the q of its most specific range (RFC 9110
        // §12.5.1); of two equally preferred, the one listed first wins, and
        // a wildcard that covers both keeps `application/json`.
        let mut best: Option<(Self, f32, usize)> = None;
        for (media, essence) in Self::CANDIDATES {
            let Some((q, position)) = ranges
                .iter()
                .enumerate()
                .filter_map(|(position, range)| {
                    range
                        .specificity(essence)
                        .map(|specific| (specific, range.q, position))
                })
                .max_by_key(|(specific, _, position)| (*specific, std::cmp::Reverse(*position)))
                .map(|(_, q, position)| (q, position))
            else {
                continue;
            };
            if q <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, best_q, best_position)) => {
                    q > best_q || (q == best_q && position < best_position)
                }
            };
            if better {
                best = Some((media, q, position));
            }
        }
        best.map(|(media, _, _)| media)
    }
}

/// One media range of `Accept`.
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: f32,
}

impl<'a> Range<'a> {
    /// A range; none for one that is malformed or asks for an encoding other
    /// than UTF-8, the only one these answers come in.
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let mut q = 1.0;
        for parameter in parts {
            let (name, value) = parameter.trim().split_once('=')?;
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => {
                    q = value
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))?
                }
                "charset" if !value.eq_ignore_ascii_case("utf-8") => return None,
                _ => {}
            }
        }
        Some(Self {
            kind: kind.trim(),
            subtype: subtype.trim(),
            q,
        })
    }

    /// How specifically this range names `essence` (`type/subtype`): 2 by
    /// name, 1 by `type/*`, 0 by `*/*`; none when it does not match.
    fn specificity(&self, essence: &str) -> Option<u8> {
        let (kind, subtype) = essence.split_once('/')?;
        match (self.kind, self.subtype) {
            ("*", "*") => Some(0),
            (k, "*") if k.eq_ignore_ascii_case(kind) => Some(1),
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => Some(2),
            _ => None,
        }
    }
}
