//! Partners' proposals: a change to any facility, or a new one, waits for an
//! editor, who approves it (one write, tied to the proposal in the audit
//! log, and only then in the change feed), rejects it with a reason, or
//! resolves what changed meanwhile first. An organisation may be set to
//! have every change reviewed first.

use entity::value::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, spawn_app, token};
use crate::on_both_databases;

const PROPOSE: &str =
    "mutation($facility: ID!, $input: FacilityPatch!, $reason: String!, $source: SourceInput!) {
  proposeFacilityChange(facility: $facility, input: $input, reason: $reason, source: $source) {
    id kind status version changedFields baseVersion reason proposedBy
    source { url title }
    organisation { slug }
    facility { slug capacity }
  }
}";

const PROPOSAL: &str = "query($id: ID!) { proposal(id: $id) {
  status version changedFields decisionReason decidedBy appliedVersion
  conflicts { field base proposed current }
} }";

const APPROVE: &str = "mutation($id: ID!, $v: Int!) { approveProposal(id: $id, expectedVersion: $v) { status version appliedVersion facility { slug capacity city version } } }";

const FEED: &str = "{ changes(first: 500) { nodes { entityType action entityId } } }";

struct Scene {
    app: TestApp,
    partner: String,
    other_partner: String,
    editor: String,
    facility_id: String,
    facility_version: i64,
    slug: String,
}

/// A demo facility, maintained by nobody, and two registered partners.
async fn scene(backend: Backend) -> Option<Scene> {
    let app = spawn_app(backend).await?;
    fixtures::organisation(&app.db, "example-org").await;
    fixtures::organisation(&app.db, "other-org").await;
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = app
        .query(
            "query($slug: String!) { facility(slug: $slug) { id version } }",
            json!({ "slug": slug }),
        )
        .await;
    Some(Scene {
        partner: token(Role::Partner, Some("example-org")),
        other_partner: token(Role::Partner, Some("other-org")),
        editor: token(Role::Editor, None),
        facility_id: facility["facility"]["id"].as_str().unwrap().to_owned(),
        facility_version: facility["facility"]["version"].as_i64().unwrap(),
        slug,
        app,
    })
}

impl Scene {
    async fn call(&self, token: &str, document: &str, variables: Value) -> Value {
        let (status, body) = self.app.graphql_as(token, document, variables).await;
        assert_eq!(status, 200, "{body:#}");
        body
    }

    async fn propose(&self, input: Value) -> Value {
        self.call(
            &self.partner,
            PROPOSE,
            json!({
                "facility": self.facility_id,
                "input": input,
                "reason": "The ministry's 2026 report gives twelve places.",
                "source": { "url": "https://example.org/report-2026", "title": "Report 2026" },
            }),
        )
        .await
    }

    async fn feed_len(&self) -> usize {
        self.app.query(FEED, json!({})).await["changes"]["nodes"]
            .as_array()
            .unwrap()
            .len()
    }
}

async fn a_partners_proposal_waits_for_an_editor_and_approving_applies_it_as_one_write(
    backend: Backend,
) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let feed_before = s.feed_len().await;
    let proposed = s.propose(json!({ "capacity": 12 })).await;
    let proposal = &proposed["data"]["proposeFacilityChange"];
    let id = proposal["id"].as_str().unwrap().to_owned();

    assert_eq!(proposal["kind"], "CHANGE", "{proposed:#}");
    assert_eq!(proposal["status"], "PENDING");
    assert_eq!(proposal["changedFields"], json!(["capacity"]));
    assert_eq!(proposal["baseVersion"], s.facility_version);
    assert_eq!(proposal["organisation"]["slug"], "example-org");
    assert_eq!(proposal["proposedBy"], "ana@example.org");
    assert_eq!(proposal["source"]["url"], "https://example.org/report-2026");
    assert_ne!(proposal["facility"]["capacity"], 12, "nothing applied yet");
    assert_eq!(s.feed_len().await, feed_before, "a proposal is not public");

    // Who sees it: the editors' queue and the proposing organisation, no one else.
    let queue = s
        .call(
            &s.editor,
            "{ proposals(filter: {status: [PENDING]}) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(queue["data"]["proposals"]["nodes"][0]["id"], id.as_str());
    let own = s
        .call(&s.partner, "{ proposals { totalCount } }", json!({}))
        .await;
    assert_eq!(own["data"]["proposals"]["totalCount"], 1);
    let other = s
        .call(
            &s.other_partner,
            "query($id: ID!) { proposals { totalCount } proposal(id: $id) { id } node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(other["data"]["proposals"]["totalCount"], 0, "{other:#}");
    assert!(other["data"]["proposal"].is_null());
    assert!(other["data"]["node"].is_null());
    let anonymous = s
        .app
        .graphql("{ proposals { totalCount } }", json!({}))
        .await;
    assert_error_code(&anonymous, "UNAUTHENTICATED");

    // Partners do not decide; editors do, with the version they read.
    let by_partner = s
        .call(&s.partner, APPROVE, json!({ "id": id, "v": 1 }))
        .await;
    assert_error_code(&by_partner, "FORBIDDEN");
    let stale = s
        .call(&s.editor, APPROVE, json!({ "id": id, "v": 7 }))
        .await;
    assert_error_code(&stale, "CONFLICT");
    let approved = s
        .call(&s.editor, APPROVE, json!({ "id": id, "v": 1 }))
        .await;
    let approved = &approved["data"]["approveProposal"];
    assert_eq!(approved["status"], "APPROVED", "{approved:#}");
    assert_eq!(approved["facility"]["capacity"], 12);
    let applied = s.facility_version + 1;
    assert_eq!(approved["facility"]["version"], applied);
    assert_eq!(approved["appliedVersion"], applied);

    // The feed shows the facility's change, and the log ties it to the proposal.
    let feed = s.app.query(FEED, json!({})).await;
    let published = &feed["changes"]["nodes"].as_array().unwrap()[feed_before..];
    assert_eq!(
        published,
        [json!({ "entityType": "FACILITY", "action": "UPDATED", "entityId": s.facility_id })]
    );
    let log = s
        .call(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { actorRole after proposal { id status } } } }",
            json!({ "id": s.facility_id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    let event = events.last().unwrap();
    assert_eq!(event["actorRole"], "EDITOR", "{log:#}");
    assert_eq!(event["after"]["capacity"], 12);
    assert_eq!(event["proposal"], json!({ "id": id, "status": "APPROVED" }));

    let again = s
        .call(&s.editor, APPROVE, json!({ "id": id, "v": 2 }))
        .await;
    assert_error_code(&again, "CONFLICT");
}

/// The city changed alike on both sides: no conflict there.
async fn a_field_the_facility_changed_meanwhile_is_a_conflict_until_an_editor_resolves_it(
    backend: Backend,
) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let proposed = s
        .propose(json!({ "capacity": 12, "city": "Proposed city" }))
        .await;
    let id = proposed["data"]["proposeFacilityChange"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Meanwhile an editor changes the capacity otherwise, and the city alike.
    let direct = s
        .call(
            &s.editor,
            "mutation($id: ID!, $v: Int!) { updateFacility(id: $id, expectedVersion: $v, input: {capacity: 15, city: \"Proposed city\"}) { version } }",
            json!({ "id": s.facility_id, "v": s.facility_version }),
        )
        .await;
    assert!(direct.get("errors").is_none(), "{direct:#}");

    let seen = s.call(&s.editor, PROPOSAL, json!({ "id": id })).await;
    let conflicts = &seen["data"]["proposal"]["conflicts"];
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{seen:#}");
    assert_eq!(conflicts[0]["field"], "capacity");
    assert_eq!(conflicts[0]["proposed"], 12);
    assert_eq!(conflicts[0]["current"], 15);
    assert_ne!(conflicts[0]["base"], 15);
    let before = fixtures::state(&s.app.db).await;
    let refused = s
        .call(&s.editor, APPROVE, json!({ "id": id, "v": 1 }))
        .await;
    assert_error_code(&refused, "CONFLICT");
    assert!(refused.to_string().contains("capacity"), "{refused:#}");
    assert_eq!(
        fixtures::state(&s.app.db).await,
        before,
        "a refused approval writes nothing"
    );

    let resolved = s
        .call(
            &s.editor,
            "mutation($id: ID!) { resolveProposal(id: $id, expectedVersion: 1, input: {capacity: 13}) { version baseVersion changedFields conflicts { field } } }",
            json!({ "id": id }),
        )
        .await;
    let resolved = &resolved["data"]["resolveProposal"];
    assert_eq!(resolved["conflicts"], json!([]), "{resolved:#}");
    assert_eq!(resolved["changedFields"], json!(["capacity"]));
    assert_eq!(resolved["baseVersion"], s.facility_version + 1);
    let approved = s
        .call(&s.editor, APPROVE, json!({ "id": id, "v": 2 }))
        .await;
    let facility = &approved["data"]["approveProposal"]["facility"];
    assert_eq!(facility["capacity"], 13, "{approved:#}");
    assert_eq!(facility["city"], "Proposed city");
}

async fn a_rejected_or_withdrawn_proposal_changes_nothing_and_says_why(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let first = s.propose(json!({ "capacity": 12 })).await;
    let first = first["data"]["proposeFacilityChange"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = s.propose(json!({ "capacity": 14 })).await;
    let second = second["data"]["proposeFacilityChange"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reject = "mutation($id: ID!, $reason: String!) { rejectProposal(id: $id, expectedVersion: 1, reason: $reason) { status decisionReason decidedBy } }";
    let without_reason = s
        .call(&s.editor, reject, json!({ "id": first, "reason": "  " }))
        .await;
    assert_error_code(&without_reason, "BAD_USER_INPUT");
    let rejected = s
        .call(
            &s.editor,
            reject,
            json!({ "id": first, "reason": "The report counts beds, not places." }),
        )
        .await;
    assert_eq!(
        rejected["data"]["rejectProposal"],
        json!({ "status": "REJECTED", "decisionReason": "The report counts beds, not places.", "decidedBy": "ana@example.org" })
    );
    let withdraw =
        "mutation($id: ID!) { withdrawProposal(id: $id, expectedVersion: 1) { status } }";
    let by_other = s
        .call(&s.other_partner, withdraw, json!({ "id": second }))
        .await;
    assert_error_code(&by_other, "NOT_FOUND");
    let withdrawn = s.call(&s.partner, withdraw, json!({ "id": second })).await;
    assert_eq!(withdrawn["data"]["withdrawProposal"]["status"], "WITHDRAWN");
    let late = s
        .call(&s.editor, APPROVE, json!({ "id": first, "v": 2 }))
        .await;
    assert_error_code(&late, "CONFLICT");

    let facility = s
        .app
        .query(
            "query($slug: String!) { facility(slug: $slug) { version } }",
            json!({ "slug": s.slug }),
        )
        .await;
    assert_eq!(facility["facility"]["version"], s.facility_version);
    let seen = s.call(&s.partner, PROPOSAL, json!({ "id": first })).await;
    assert_eq!(
        seen["data"]["proposal"]["decisionReason"],
        "The report counts beds, not places."
    );
}

async fn bad_proposals_are_refused_whole(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let before = fixtures::state(&s.app.db).await;
    let bad_capacity = s.propose(json!({ "capacity": 0 })).await;
    assert_error_code(&bad_capacity, "BAD_USER_INPUT");
    assert_eq!(
        bad_capacity["errors"][0]["extensions"]["problems"][0]["field"], "input.capacity",
        "{bad_capacity:#}"
    );
    let nothing = s.propose(json!({})).await;
    assert_error_code(&nothing, "BAD_USER_INPUT");
    let no_reason = s
        .call(
            &s.partner,
            PROPOSE,
            json!({ "facility": s.facility_id, "input": { "capacity": 12 }, "reason": "", "source": { "url": "not a url" } }),
        )
        .await;
    assert_error_code(&no_reason, "BAD_USER_INPUT");
    let fields: Vec<&Value> = no_reason["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["field"])
        .collect();
    assert_eq!(
        fields,
        [&json!("reason"), &json!("source.url")],
        "{no_reason:#}"
    );
    let by_editor = s
        .call(
            &s.editor,
            PROPOSE,
            json!({ "facility": s.facility_id, "input": { "capacity": 12 }, "reason": "r", "source": { "url": "https://example.org" } }),
        )
        .await;
    assert_error_code(&by_editor, "FORBIDDEN");
    assert_eq!(fixtures::state(&s.app.db).await, before);
}

async fn an_organisation_set_to_review_first_proposes_instead_of_writing(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let org = fixtures::organisation(&s.app.db, "example-org").await;
    fixtures::maintain(&s.app.db, &s.slug, &org).await;
    let admin = token(Role::Admin, None);
    let set = s
        .call(
            &admin,
            "mutation { updateOrganisation(slug: \"example-org\", expectedVersion: 1, input: {reviewFirst: true}) { reviewFirst } }",
            json!({}),
        )
        .await;
    assert_eq!(
        set["data"]["updateOrganisation"]["reviewFirst"], true,
        "{set:#}"
    );
    let version = s
        .app
        .query(
            "query($slug: String!) { facility(slug: $slug) { version } }",
            json!({ "slug": s.slug }),
        )
        .await["facility"]["version"]
        .clone();

    let before = fixtures::state(&s.app.db).await;
    let direct = s
        .call(
            &s.partner,
            "mutation($id: ID!, $v: Int!) { updateFacility(id: $id, expectedVersion: $v, input: {capacity: 12}) { version } }",
            json!({ "id": s.facility_id, "v": version }),
        )
        .await;
    assert_error_code(&direct, "FORBIDDEN");
    assert!(
        direct.to_string().contains("proposeFacilityChange"),
        "{direct:#}"
    );
    let created = s
        .call(
            &s.partner,
            "mutation { createFacility(input: {name: \"Huis Voorbeeld\", countryCode: \"BE\", facilityType: DETENTION_HOUSE, status: OPEN}) { id } }",
            json!({}),
        )
        .await;
    assert_error_code(&created, "FORBIDDEN");
    assert_eq!(fixtures::state(&s.app.db).await, before);

    // A new facility, proposed, then made by the approval: the partner's own.
    let proposed = s
        .call(
            &s.partner,
            "mutation($source: SourceInput!) { proposeFacility(input: {name: \"Huis Voorbeeld\", countryCode: \"BE\", facilityType: DETENTION_HOUSE, status: OPEN}, reason: \"It opened in 2026.\", source: $source) { id kind changedFields facility { id } } }",
            json!({ "source": { "url": "https://example.org/opening" } }),
        )
        .await;
    let proposal = &proposed["data"]["proposeFacility"];
    assert_eq!(proposal["kind"], "NEW_FACILITY", "{proposed:#}");
    assert!(proposal["facility"].is_null());
    assert!(
        proposal["changedFields"]
            .as_array()
            .unwrap()
            .contains(&json!("name"))
    );
    let approved = s
        .call(
            &s.editor,
            "mutation($id: ID!) { approveProposal(id: $id, expectedVersion: 1) { status facility { name maintainedBy version } } }",
            json!({ "id": proposal["id"] }),
        )
        .await;
    assert_eq!(
        approved["data"]["approveProposal"],
        json!({ "status": "APPROVED", "facility": { "name": "Huis Voorbeeld", "maintainedBy": "example-org", "version": 1 } }),
        "{approved:#}"
    );
}

/// The editors' queue with each proposal's facility, organisation and
/// conflicts costs the same few statements for two proposals as for eight.
async fn the_queue_costs_a_fixed_number_of_statements(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let slugs = fixtures::facility_slugs(&s.app.db).await;
    for slug in &slugs[..8] {
        let facility = s
            .app
            .query(
                "query($slug: String!) { facility(slug: $slug) { id } }",
                json!({ "slug": slug }),
            )
            .await;
        let proposed = s
            .call(
                &s.partner,
                PROPOSE,
                json!({
                    "facility": facility["facility"]["id"],
                    "input": { "capacity": 7 },
                    "reason": "Counted again.",
                    "source": { "url": "https://example.org/count" },
                }),
            )
            .await;
        assert!(proposed.get("errors").is_none(), "{proposed:#}");
    }
    let queue = "query($first: Int!) { proposals(first: $first) { totalCount nodes { status changedFields facility { name } organisation { slug } conflicts { field } } } }";
    let before_two = s.app.statements.get();
    let two = s.call(&s.editor, queue, json!({ "first": 2 })).await;
    let for_two = s.app.statements.get() - before_two;
    let before_eight = s.app.statements.get();
    let eight = s.call(&s.editor, queue, json!({ "first": 8 })).await;
    let for_eight = s.app.statements.get() - before_eight;

    assert_eq!(
        two["data"]["proposals"]["nodes"].as_array().unwrap().len(),
        2
    );
    let nodes = eight["data"]["proposals"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 8, "{eight:#}");
    assert!(
        nodes
            .iter()
            .all(|n| n["conflicts"] == json!([]) && n["facility"]["name"].is_string())
    );
    assert_eq!(
        for_two, for_eight,
        "2 proposals took {for_two} statements, 8 took {for_eight}"
    );
}

on_both_databases!(
    a_partners_proposal_waits_for_an_editor_and_approving_applies_it_as_one_write,
    a_field_the_facility_changed_meanwhile_is_a_conflict_until_an_editor_resolves_it,
    a_rejected_or_withdrawn_proposal_changes_nothing_and_says_why,
    bad_proposals_are_refused_whole,
    an_organisation_set_to_review_first_proposes_instead_of_writing,
    the_queue_costs_a_fixed_number_of_statements,
);
