//! GraphiQL, served from the binary with its scripts and styles: it works with
//! no internet, and nothing is loaded from elsewhere, which its
//! Content-Security-Policy enforces.

use actix_web::http::header::CONTENT_SECURITY_POLICY;
use actix_web::{HttpResponse, web};

use super::asset::{self, Asset};

const INDEX_HTML: &str = include_str!("../../assets/graphiql/index.html");

/// Every asset the page loads.
const ASSETS: &[Asset] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/start.js"),
    ),
    (
        "start.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/start.css"),
    ),
];

/// Where the page's nonce goes; see [`policy`].
const NONCE: &str = "__STYLE_NONCE__";

/// Scripts, style sheets and fonts from this server only (the fonts and icons
/// are `data:` URLs inside the style sheet), requests to `/graphql` only, and
/// no framing: an injected script, or a page that frames GraphiQL to trick a
/// token holder, gets nowhere. GraphiQL's dialogs add a `<style>` element of
/// their own, allowed by a nonce made for each answer rather than by
/// `'unsafe-inline'`.
#[must_use]
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// What GraphiQL opens with: a filtered first page of facilities.
pub const DEFAULT_QUERY: &str = r#"# Welcome to wish-api: small-scale detention facilities in Europe.
# Press the run button (or Ctrl-Enter). Open "Docs" for every type and field.

query SmallFacilitiesInTheLowCountries {
  facilities(
    filter: { countryCode: ["BE", "NL"], status: [OPEN], capacityMax: 30 }
    orderBy: [NAME_ASC]
    first: 10
  ) {
    totalCount
    nodes {
      name
      city
      countryCode
      facilityType
      capacity
      latitude
      longitude
      sourceUrl
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
"#;

/// One example operation, opened as a tab of GraphiQL.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Example {
    /// The document; its operation name is the tab's title.
    pub query: &'static str,
    /// Variables as JSON text, when the document takes any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<&'static str>,
    /// Headers as JSON text: the bearer token for a write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<&'static str>,
}

/// The tabs GraphiQL opens with: the map, a filtered page, a facility with
/// its visits, search, the change feed, a guideline diff, the knowledge
/// library, a workshop's agenda, a competence of relational security, a
/// partner's write, the editors' queue of proposals, a rule's history and a
/// consultation.
pub const EXAMPLES: &[Example] = &[
    Example {
        query: DEFAULT_QUERY,
        variables: None,
        headers: None,
    },
    Example {
        query: "# What the map draws: every facility with coordinates (pages of up to 500).\n# The same data is at GET /facilities.geojson for MapLibre or Leaflet.\nquery Map {\n  facilities(first: 500) {\n    totalCount\n    nodes { id name latitude longitude facilityType capacity }\n  }\n}\n",
        variables: None,
        headers: None,
    },
    Example {
        query: "# One facility by slug, with its study visits, who took part and what they found.\nquery FacilityWithVisits($slug: String!) {\n  facility(slug: $slug) {\n    name city countryCode capacity sourceUrl\n    description(lang: \"en\")\n    ecosystem { dimension note }\n    visits(first: 10) {\n      totalCount\n      nodes { visitedOn workshop { name } participants { name kind } findings { dimension note } }\n    }\n  }\n}\n",
        variables: Some("{ \"slug\": \"detentiehuis-kortrijk\" }"),
        headers: None,
    },
    Example {
        query: "# Search facilities, learning sessions, stakeholders and guideline versions;\n# accents and case do not matter (\"liege\" finds \"Liège\").\nquery Search($text: String!) {\n  search(text: $text, first: 10) {\n    __typename\n    ... on Facility { name city countryCode }\n    ... on LearningSession { title heldOn }\n    ... on Stakeholder { name organisation }\n    ... on GuidelineVersion { title number status }\n  }\n}\n",
        variables: Some("{ \"text\": \"liege\" }"),
        headers: None,
    },
    Example {
        query: "# The change feed: store pageInfo.endCursor, pass it as $after next time,\n# and you get exactly what changed since.\nquery Sync($after: String) {\n  changes(after: $after, first: 100) {\n    nodes { action entityType entityId entityVersion occurredAt node { id } }\n    pageInfo { endCursor hasNextPage }\n  }\n}\n",
        variables: Some("{ \"after\": null }"),
        headers: None,
    },
    Example {
        query: "# The two guidelines, their versions, and what changed in the latest one\n# (diff against the version before it).\nquery GuidelineDiff {\n  guidelines {\n    key title\n    versions { nodes { number status publishedOn } }\n    latest {\n      number title\n      informedBy { __typename ... on Visit { visitedOn } ... on LearningSession { title } }\n      diff { truncated hunks { oldStart newStart lines { kind text } } }\n    }\n  }\n}\n",
        variables: None,
        headers: None,
    },
    Example {
        query: "# The knowledge library: resources about one ecosystem dimension, newest first,\n# with their authors (people only by consent) and what they are linked to.\nquery Library($dimension: EcosystemDimension!) {\n  resources(filter: { dimension: [$dimension] }, orderBy: NEWEST, first: 20) {\n    totalCount\n    nodes {\n      kind title(lang: \"en\") titleLanguage(lang: \"en\") publisher publishedYear publishedOn\n      url openAccess languages dimensions\n      authors { name anonymous }\n      facilities(first: 5) { nodes { name countryCode } }\n      workshops { key }\n    }\n  }\n}\n",
        variables: Some("{ \"dimension\": \"SECURITY\" }"),
        headers: None,
    },
    Example {
        query: "# The knowledge workshops: the principles they are built on, their themes,\n# and their change agenda, goals with the activities attached to them.\nquery WorkshopAgenda {\n  knowledgeWorkshops {\n    key name principles themes version\n    agenda {\n      title(lang: \"en\") description(lang: \"en\")\n      activities { kind title(lang: \"en\") startsOn endsOn status outcome(lang: \"en\") }\n    }\n  }\n}\n",
        variables: None,
        headers: None,
    },
    Example {
        query: "# The competences of relational security: what do we know about one, and\n# where was it seen in practice? Its resources, the learning sessions that\n# treated it with their workshop's visits, and the guideline versions.\nquery Competence($key: String!) {\n  competence(key: $key) {\n    key name(lang: \"en\") description(lang: \"en\") area { name(lang: \"en\") }\n    resources(first: 20) { totalCount nodes { kind title url visits(first: 5) { nodes { visitedOn facility { name } } } } }\n    learningSessions(first: 20) {\n      totalCount\n      nodes { title heldOn level workshop { key visits(first: 5) { nodes { visitedOn facility { name countryCode } } } } }\n    }\n    guidelineVersions(first: 20) { totalCount nodes { number status guideline { key } } }\n  }\n}\n",
        variables: Some("{ \"key\": \"de-escalation\" }"),
        headers: None,
    },
    Example {
        query: "# A partner's write: put your token in the Headers tab below. Read the\n# facility's id and version first; if someone changed it since, the answer\n# is CONFLICT and nothing is written.\nmutation UpdateCapacity($id: ID!, $version: Int!) {\n  updateFacility(id: $id, expectedVersion: $version, input: { capacity: 12 }) {\n    name capacity version updatedAt\n  }\n}\n",
        variables: Some("{ \"id\": \"paste a facility id\", \"version\": 1 }"),
        headers: Some("{ \"Authorization\": \"Bearer paste-your-token-here\" }"),
    },
    Example {
        query: "# A rule of a guideline by its number, in the latest adopted version, with\n# every version of it (its lineage) and what informed it. Null until a\n# version with rules is adopted; GuidelineVersion.ruleDiff compares two.\nquery RuleHistory($guideline: String!, $number: String!) {\n  rule(guideline: $guideline, number: $number) {\n    id number title(lang: \"fr\") titleLanguage text commentary\n    informedBy { __typename ... on Visit { id visitedOn } ... on Resource { id title } }\n    history { number title guidelineVersion { number status publishedOn } }\n  }\n}\n",
        variables: Some("{ \"guideline\": \"ecosystem-rules\", \"number\": \"1.1\" }"),
        headers: None,
    },
    Example {
        query: "# Partners' proposals waiting for an editor, oldest first (a partner sees\n# its own). A proposal with conflicts is resolved (resolveProposal) before\n# approveProposal applies it; rejectProposal says why not.\nquery ProposalQueue {\n  proposals(filter: { status: [PENDING] }, first: 20) {\n    totalCount\n    nodes {\n      id version kind reason createdAt\n      organisation { slug name }\n      facility { id name version }\n      changedFields changes\n      source { url title }\n      conflicts { field base proposed current }\n    }\n  }\n}\n",
        variables: None,
        headers: Some("{ \"Authorization\": \"Bearer paste-your-token-here\" }"),
    },
    Example {
        query: "# The consultation on a guideline's latest version: the comments you may\n# see (while in CONSULTATION, your organisation's; once ADOPTED, all but\n# the withdrawn) with the editors' answers, per rule. With a token, comment\n# with addConsultationComment(input: { version, rule, text }); editors answer\n# with answerConsultationComment. consultationReport(version:) counts them,\n# and GET /guidelines/{key}/{number}/consultation.csv is the same as CSV.\nquery Consultation($guideline: String!) {\n  guideline(key: $guideline) {\n    latest {\n      id number status\n      consultationComments(first: 20) {\n        totalCount\n        nodes {\n          id status text answer answeredAt\n          rule { number }\n          organisation { name }\n          person { name anonymous }\n        }\n      }\n      rules { number consultationComments(first: 5) { totalCount } }\n    }\n  }\n}\n",
        variables: Some("{ \"guideline\": \"ecosystem-rules\" }"),
        headers: None,
    },
];

/// The page with the example tabs filled in, made once at start-up.
#[must_use]
pub fn render_page() -> String {
    // JSON inside a <script> element: `<` is escaped so the text cannot close the element.
    let json = serde_json::to_string(EXAMPLES)
        .unwrap_or_else(|_| "[]".to_owned())
        .replace('<', "\\u003c");
    INDEX_HTML.replace("__DEFAULT_TABS_JSON__", &json)
}

pub async fn page(state: web::Data<super::AppState>) -> HttpResponse {
    let Some(page) = &state.graphiql else {
        return HttpResponse::NotFound().finish();
    };
    // 122 random bits from the operating system's generator, fresh each time.
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header((CONTENT_SECURITY_POLICY, policy(&nonce)))
        .body(page.0.replacen(NONCE, &nonce, 1))
}

/// The rendered page, shared by all workers.
pub struct GraphiqlPage(pub String);

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    asset::serve(ASSETS, &name, "GraphiQL")
}
