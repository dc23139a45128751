//! The consultation on a guideline version: partners, editors and admins
//! comment on its rules or on the whole while it is in CONSULTATION, edit
//! and withdraw their own until it closes, editors answer and mark each; the
//! commenting organisation and the editors see a comment until the version
//! is adopted, everyone after (withdrawn ones never, people only by
//! consent); the report counts them, the CSV lists them, the audit log and
//! the change feed carry them, and lists of them cost a fixed number of
//! statements.

use api::graphql::id::Kind;
use entity::value::{Role, StakeholderKind};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{
    Backend, TestApp, assert_error_code, gid, readme_documents, spawn_app, token,
};
use crate::on_both_databases;

const CREATE: &str = "mutation($key: String!, $input: GuidelineVersionInput!) {
    createGuidelineVersion(guideline: $key, input: $input) {
        id number rules { id number } } }";
const ADVANCE: &str = "mutation($id: ID!, $to: GuidelineStatus!) {
    advanceGuidelineVersion(id: $id, to: $to) { status } }";
const ADD: &str = "mutation($input: AddConsultationCommentInput!) {
    addConsultationComment(input: $input) {
        id version status text author rule { number } organisation { slug name }
        person { name anonymous } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: ConsultationCommentPatch!) {
    updateConsultationComment(id: $id, expectedVersion: $v, input: $input) {
        version text rule { number } } }";
const WITHDRAW: &str = "mutation($id: ID!, $v: Int!) {
    withdrawConsultationComment(id: $id, expectedVersion: $v) { version status withdrawnAt } }";
const ANSWER: &str = "mutation($id: ID!, $v: Int!, $input: AnswerConsultationCommentInput!) {
    answerConsultationComment(id: $id, expectedVersion: $v, input: $input) {
        version status answer answeredBy answeredAt } }";
const COMMENTS: &str = "query($id: ID!) { guidelineVersion(id: $id) {
    consultationComments(first: 20) { totalCount nodes { text status answer author answeredBy
        organisation { slug } person { name anonymous } rule { number } } }
    rules { number consultationComments(first: 5) { totalCount nodes { text } } } } }";
const REPORT: &str = "query($id: ID!) { consultationReport(version: $id) {
    totalCount guidelineVersion { number }
    comments { nodes { text status rule { number } } }
    byRule { rule { number } count }
    byStatus { status count } } }";
const FEED: &str = "{ changes(first: 500) { nodes { entityType action entityId node { id } } } }";

/// A version of `ecosystem-rules` with a part and two rules, in
/// CONSULTATION, and two registered partner organisations.
struct Scene {
    app: TestApp,
    version: Value,
    /// The rules' ids by number: "1", "1.1", "1.2".
    rules: Vec<(String, Value)>,
    partner: String,
    other_partner: String,
    editor: String,
    admin: String,
}

fn en(text: &str) -> Value {
    json!([{ "lang": "en", "text": text }])
}

async fn scene(backend: Backend) -> Option<Scene> {
    let app = spawn_app(backend).await?;
    fixtures::organisation(&app.db, "example-org").await;
    fixtures::organisation(&app.db, "other-org").await;
    let editor = token(Role::Editor, None);
    let (_, created) = app
        .graphql_as(
            &editor,
            CREATE,
            json!({ "key": "ecosystem-rules", "input": { "title": "Rules", "rules": [
                { "number": "1", "title": en("Scale"), "text": en("Facilities are small.") },
                { "number": "1.1", "title": en("Size"), "text": en("A few dozen residents.") },
                { "number": "1.2", "title": en("Place"), "text": en("Close to home.") },
            ] } }),
        )
        .await;
    let version = created["data"]["createGuidelineVersion"].clone();
    assert!(version.is_object(), "{created:#}");
    let rules = version["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["number"].as_str().unwrap().to_owned(), r["id"].clone()))
        .collect();
    let scene = Scene {
        version: version["id"].clone(),
        rules,
        partner: token(Role::Partner, Some("example-org")),
        other_partner: token(Role::Partner, Some("other-org")),
        admin: token(Role::Admin, None),
        editor,
        app,
    };
    scene.advance("CONSULTATION").await;
    Some(scene)
}

impl Scene {
    async fn call(&self, token: &str, document: &str, variables: Value) -> Value {
        let (status, body) = self.app.graphql_as(token, document, variables).await;
        assert_eq!(status, 200, "{body:#}");
        body
    }

    async fn advance(&self, to: &str) {
        let moved = self
            .call(
                &self.editor,
                ADVANCE,
                json!({ "id": self.version, "to": to }),
            )
            .await;
        assert_eq!(
            moved["data"]["advanceGuidelineVersion"]["status"], to,
            "{moved:#}"
        );
    }

    fn rule(&self, number: &str) -> Value {
        self.rules
            .iter()
            .find(|(n, _)| n == number)
            .map(|(_, id)| id.clone())
            .unwrap()
    }

    /// Adds a comment as `token`, which must succeed.
    async fn comment(&self, token: &str, input: Value) -> Value {
        let mut input = input;
        input["version"] = self.version.clone();
        let added = self.call(token, ADD, json!({ "input": input })).await;
        assert!(added.get("errors").is_none(), "{added:#}");
        added["data"]["addConsultationComment"].clone()
    }

    async fn comments_as(&self, token: Option<&str>) -> Value {
        let variables = json!({ "id": self.version });
        let body = match token {
            Some(token) => self.call(token, COMMENTS, variables).await,
            None => self.app.graphql(COMMENTS, variables).await,
        };
        assert!(body.get("errors").is_none(), "{body:#}");
        body["data"]["guidelineVersion"].clone()
    }

    fn csv_path(&self) -> &'static str {
        "/guidelines/ecosystem-rules/1/consultation.csv"
    }

    async fn csv_as(&self, token: Option<&str>) -> (u16, Vec<Vec<String>>) {
        let mut request = self
            .app
            .client
            .get(format!("{}{}", self.app.address, self.csv_path()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        let rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&body[..])
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (status, rows)
    }
}

fn texts(list: &Value) -> Vec<&str> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect()
}

async fn partners_comment_during_consultation_and_see_only_their_own(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    // Without consent to a public name: shown by kind to everyone but editors.
    let person = fixtures::person(
        &s.app.db,
        "Dana Quiet",
        StakeholderKind::Research,
        None,
        fixtures::Consent::NONE,
    )
    .await;
    let mine = s
        .comment(
            &s.partner,
            json!({ "rule": s.rule("1.1"), "text": "  Say how many.  ",
                    "person": gid(Kind::Stakeholder, person.id) }),
        )
        .await;
    assert_eq!(
        mine,
        json!({ "id": mine["id"], "version": 1, "status": "OPEN", "text": "Say how many.",
                "author": "ana@example.org", "rule": { "number": "1.1" },
                "organisation": { "slug": "example-org", "name": mine["organisation"]["name"] },
                "person": { "name": "a participant", "anonymous": true } })
    );
    s.comment(&s.other_partner, json!({ "text": "The whole reads well." }))
        .await;
    s.comment(
        &s.editor,
        json!({ "rule": s.rule("1.2"), "text": "An editor's note." }),
    )
    .await;

    let own = s.comments_as(Some(&s.partner)).await;
    assert_eq!(texts(&own["consultationComments"]), ["Say how many."]);
    assert_eq!(own["consultationComments"]["totalCount"], 1);
    assert_eq!(own["rules"][1]["consultationComments"]["totalCount"], 1);
    assert_eq!(own["rules"][2]["consultationComments"]["totalCount"], 0);
    let other = s.comments_as(Some(&s.other_partner)).await;
    assert_eq!(
        texts(&other["consultationComments"]),
        ["The whole reads well."]
    );
    let anonymous = s.comments_as(None).await;
    assert_eq!(anonymous["consultationComments"]["totalCount"], 0);
    let editors = s.comments_as(Some(&s.editor)).await;
    assert_eq!(
        texts(&editors["consultationComments"]),
        [
            "Say how many.",
            "The whole reads well.",
            "An editor's note."
        ]
    );
    assert_eq!(
        editors["consultationComments"]["nodes"][0]["person"],
        json!({ "name": "Dana Quiet", "anonymous": false })
    );

    // The node is the same comment, for those who see it.
    let node = "query($id: ID!) { node(id: $id) { ... on ConsultationComment { text } } }";
    let seen = s.call(&s.partner, node, json!({ "id": mine["id"] })).await;
    assert_eq!(seen["data"]["node"]["text"], "Say how many.");
    let hidden = s
        .call(&s.other_partner, node, json!({ "id": mine["id"] }))
        .await;
    assert_eq!(hidden["data"]["node"], Value::Null, "{hidden:#}");
}

async fn authors_edit_and_withdraw_their_own_until_the_consultation_closes(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let mine = s
        .comment(&s.partner, json!({ "text": "First thoughts." }))
        .await;
    let id = mine["id"].clone();

    let edited = s
        .call(
            &s.partner,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "text": "Second thoughts.", "rule": s.rule("1") } }),
        )
        .await;
    assert_eq!(
        edited["data"]["updateConsultationComment"],
        json!({ "version": 2, "text": "Second thoughts.", "rule": { "number": "1" } }),
        "{edited:#}"
    );
    let stale = s
        .call(
            &s.partner,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "text": "Third." } }),
        )
        .await;
    assert_error_code(&stale, "CONFLICT");
    for other in [&s.other_partner, &s.editor, &s.admin] {
        let before = fixtures::state(&s.app.db).await;
        let refused = s
            .call(
                other,
                UPDATE,
                json!({ "id": id, "v": 2, "input": { "text": "Not mine." } }),
            )
            .await;
        assert_error_code(&refused, "FORBIDDEN");
        let refused = s.call(other, WITHDRAW, json!({ "id": id, "v": 2 })).await;
        assert_error_code(&refused, "FORBIDDEN");
        assert_eq!(fixtures::state(&s.app.db).await, before);
    }

    let withdrawn = s
        .call(&s.partner, WITHDRAW, json!({ "id": id, "v": 2 }))
        .await;
    let withdrawn = &withdrawn["data"]["withdrawConsultationComment"];
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    assert!(withdrawn["withdrawnAt"].is_string());
    let again = s
        .call(
            &s.partner,
            UPDATE,
            json!({ "id": id, "v": 3, "input": { "text": "Back." } }),
        )
        .await;
    assert_error_code(&again, "CONFLICT");
    let answered = s
        .call(
            &s.editor,
            ANSWER,
            json!({ "id": id, "v": 3, "input": { "status": "ACCEPTED", "answer": "Yes." } }),
        )
        .await;
    assert_error_code(&answered, "CONFLICT");

    // An editor's own comment is theirs by their token.
    let editors = s
        .comment(&s.editor, json!({ "text": "An editor's own." }))
        .await;
    let edited = s
        .call(
            &s.editor,
            UPDATE,
            json!({ "id": editors["id"], "v": 1, "input": { "text": "An editor's own, again." } }),
        )
        .await;
    assert_eq!(edited["data"]["updateConsultationComment"]["version"], 2);

    let open = s
        .comment(&s.partner, json!({ "text": "Still open." }))
        .await;
    s.advance("ADOPTED").await;
    let before = fixtures::state(&s.app.db).await;
    let late = s
        .call(
            &s.partner,
            ADD,
            json!({ "input": { "version": s.version, "text": "Too late." } }),
        )
        .await;
    assert_error_code(&late, "CONFLICT");
    let message = late["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("only while a version is in CONSULTATION"),
        "{message}"
    );
    let late = s
        .call(
            &s.partner,
            UPDATE,
            json!({ "id": open["id"], "v": 1, "input": { "text": "Too late." } }),
        )
        .await;
    assert_error_code(&late, "CONFLICT");
    let late = s
        .call(&s.partner, WITHDRAW, json!({ "id": open["id"], "v": 1 }))
        .await;
    assert_error_code(&late, "CONFLICT");
    assert_eq!(fixtures::state(&s.app.db).await, before);
}

async fn bad_comments_are_refused_and_change_nothing(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    // Version 2, a draft that starts as a copy of version 1's rules.
    let (_, draft) = s
        .app
        .graphql_as(
            &s.editor,
            CREATE,
            json!({ "key": "ecosystem-rules", "input": { "title": "Next" } }),
        )
        .await;
    let draft = &draft["data"]["createGuidelineVersion"];
    let before = fixtures::state(&s.app.db).await;

    let foreign_rule = s
        .call(
            &s.partner,
            ADD,
            json!({ "input": { "version": s.version, "rule": draft["rules"][1]["id"], "text": "On the draft." } }),
        )
        .await;
    assert_error_code(&foreign_rule, "BAD_USER_INPUT");
    assert_eq!(
        foreign_rule["errors"][0]["extensions"]["field"],
        "input.rule"
    );
    let empty = s
        .call(
            &s.partner,
            ADD,
            json!({ "input": { "version": s.version, "text": "   " } }),
        )
        .await;
    assert_error_code(&empty, "BAD_USER_INPUT");
    let nobody = s
        .call(
            &s.partner,
            ADD,
            json!({ "input": { "version": s.version, "text": "Hi.", "person": gid(Kind::Stakeholder, 999_999) } }),
        )
        .await;
    assert_error_code(&nobody, "BAD_USER_INPUT");
    // A draft is no one's to comment on; only editors know it is there.
    let on_draft = json!({ "input": { "version": draft["id"], "text": "Early." } });
    let hidden = s.call(&s.partner, ADD, on_draft.clone()).await;
    assert_error_code(&hidden, "NOT_FOUND");
    let closed = s.call(&s.editor, ADD, on_draft.clone()).await;
    assert_error_code(&closed, "CONFLICT");
    let anonymous = s.app.graphql(ADD, on_draft).await;
    assert_error_code(&anonymous, "UNAUTHENTICATED");
    let by_partner = s.comment(&s.partner, json!({ "text": "Fine." })).await;
    let before_answer = fixtures::state(&s.app.db).await;
    let answered = s
        .call(
            &s.partner,
            ANSWER,
            json!({ "id": by_partner["id"], "v": 1, "input": { "status": "ACCEPTED", "answer": "Mine." } }),
        )
        .await;
    assert_error_code(&answered, "FORBIDDEN");
    let blank = s
        .call(
            &s.editor,
            ANSWER,
            json!({ "id": by_partner["id"], "v": 1, "input": { "status": "ACCEPTED", "answer": " " } }),
        )
        .await;
    assert_error_code(&blank, "BAD_USER_INPUT");
    assert_eq!(fixtures::state(&s.app.db).await, before_answer);
    assert_ne!(before, before_answer, "the good comment was written");
}

async fn adoption_makes_answered_comments_public_without_people(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let person = fixtures::person(
        &s.app.db,
        "Dana Quiet",
        StakeholderKind::Practice,
        None,
        fixtures::Consent::NONE,
    )
    .await;
    let kept = s
        .comment(
            &s.partner,
            json!({ "rule": s.rule("1.1"), "text": "Say how many.",
                    "person": gid(Kind::Stakeholder, person.id) }),
        )
        .await;
    let dropped = s
        .comment(&s.other_partner, json!({ "text": "Never mind." }))
        .await;
    s.call(
        &s.other_partner,
        WITHDRAW,
        json!({ "id": dropped["id"], "v": 1 }),
    )
    .await;
    let answered = s
        .call(
            &s.editor,
            ANSWER,
            json!({ "id": kept["id"], "v": 1,
                    "input": { "status": "PARTLY_ACCEPTED", "answer": "We say at most thirty." } }),
        )
        .await;
    let answer = &answered["data"]["answerConsultationComment"];
    assert_eq!(answer["status"], "PARTLY_ACCEPTED", "{answered:#}");
    assert_eq!(answer["answeredBy"], "ana@example.org");

    // Nothing of the consultation is in the public feed yet.
    let feed = s.app.graphql(FEED, json!({})).await;
    let of_comments = |feed: &Value| -> Vec<Value> {
        feed["data"]["changes"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["entityType"] == "CONSULTATION_COMMENT")
            .cloned()
            .collect()
    };
    assert!(of_comments(&feed).is_empty(), "{feed:#}");

    s.advance("ADOPTED").await;
    let public = s.comments_as(None).await;
    assert_eq!(
        public["consultationComments"]["nodes"],
        json!([{ "text": "Say how many.", "status": "PARTLY_ACCEPTED",
                 "answer": "We say at most thirty.", "author": null, "answeredBy": null,
                 "organisation": { "slug": "example-org" },
                 "person": { "name": "a participant", "anonymous": true },
                 "rule": { "number": "1.1" } }]),
        "the withdrawn comment stays private, and so do people and tokens"
    );
    let feed = s.app.graphql(FEED, json!({})).await;
    assert_eq!(
        of_comments(&feed),
        [
            json!({ "entityType": "CONSULTATION_COMMENT", "action": "UPDATED",
                 "entityId": kept["id"], "node": { "id": kept["id"] } })
        ],
        "adoption publishes the comments that were not withdrawn"
    );

    // An answer after adoption is public news; the audit log has every write.
    let again = s
        .call(
            &s.editor,
            ANSWER,
            json!({ "id": kept["id"], "v": 2,
                    "input": { "status": "ACCEPTED", "answer": "We take it up whole." } }),
        )
        .await;
    assert_eq!(
        again["data"]["answerConsultationComment"]["status"],
        "ACCEPTED"
    );
    let feed = s.app.graphql(FEED, json!({})).await;
    assert_eq!(of_comments(&feed).len(), 2);
    let audit = s
        .call(
            &s.admin,
            "{ auditLog(entityType: CONSULTATION_COMMENT, first: 50) { nodes { action entityId } } }",
            json!({}),
        )
        .await;
    let events = audit["data"]["auditLog"]["nodes"].as_array().unwrap();
    // Two created, one withdrawn, two answers, one published.
    assert_eq!(events.len(), 6, "{audit:#}");
    assert!(events.iter().any(|e| e["entityId"] == dropped["id"]));
}

async fn the_report_counts_per_rule_and_status_and_the_csv_lists_the_same(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let first = s
        .comment(
            &s.partner,
            json!({ "rule": s.rule("1.1"), "text": "=SUM(A1) is no formula here, \"quoted\", two\nlines." }),
        )
        .await;
    s.comment(
        &s.partner,
        json!({ "rule": s.rule("1.1"), "text": "Again on 1.1." }),
    )
    .await;
    s.comment(&s.other_partner, json!({ "text": "On the whole." }))
        .await;
    s.call(
        &s.editor,
        ANSWER,
        json!({ "id": first["id"], "v": 1, "input": { "status": "OUT_OF_SCOPE", "answer": "Not here." } }),
    )
    .await;

    let report = s.call(&s.editor, REPORT, json!({ "id": s.version })).await;
    let report = &report["data"]["consultationReport"];
    assert_eq!(report["totalCount"], 3, "{report:#}");
    assert_eq!(
        report["byRule"],
        json!([
            { "rule": null, "count": 1 },
            { "rule": { "number": "1" }, "count": 0 },
            { "rule": { "number": "1.1" }, "count": 2 },
            { "rule": { "number": "1.2" }, "count": 0 },
        ])
    );
    let count_of = |status: &str| {
        report["byStatus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == status)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(count_of("OPEN"), 2);
    assert_eq!(count_of("OUT_OF_SCOPE"), 1);
    assert_eq!(count_of("WITHDRAWN"), 0);
    assert_eq!(report["byStatus"].as_array().unwrap().len(), 6);
    assert_eq!(
        report["comments"]["nodes"][0]["text"], "On the whole.",
        "the version as a whole comes first"
    );
    let partners = s.call(&s.partner, REPORT, json!({ "id": s.version })).await;
    assert_eq!(partners["data"]["consultationReport"]["totalCount"], 2);

    let (status, rows) = s.csv_as(Some(&s.editor)).await;
    assert_eq!(status, 200);
    assert_eq!(
        rows[0],
        [
            "id",
            "rule",
            "organisation",
            "person",
            "status",
            "comment",
            "answer",
            "answered_at",
            "created_at",
            "updated_at",
            "withdrawn_at"
        ]
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1][5], "On the whole.");
    assert_eq!(rows[2][0], first["id"].as_str().unwrap());
    assert_eq!(rows[2][1], "1.1");
    assert_eq!(rows[2][4], "OUT_OF_SCOPE");
    assert_eq!(
        rows[2][5],
        "'=SUM(A1) is no formula here, \"quoted\", two\nlines."
    );
    assert_eq!(rows[2][6], "Not here.");
    let (_, partners) = s.csv_as(Some(&s.partner)).await;
    assert_eq!(partners.len(), 3);
    let (status, anonymous) = s.csv_as(None).await;
    assert_eq!((status, anonymous.len()), (200, 1), "only the header");

    s.advance("ADOPTED").await;
    let (_, public) = s.csv_as(None).await;
    assert_eq!(public.len(), 4);
    for missing in [
        "/guidelines/no-such-guideline/1/consultation.csv",
        "/guidelines/ecosystem-rules/7/consultation.csv",
        "/guidelines/ecosystem-rules/one/consultation.csv",
    ] {
        let response = s.app.get(missing).await;
        assert_eq!(response.status(), 404, "{missing}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "NOT_FOUND");
    }
}

/// Comments numbered `range` by both partners, on rules 1.1 and 1.2 in
/// turn, each naming `person`.
async fn add_comments(s: &Scene, range: std::ops::Range<usize>, person: i32) {
    for i in range {
        let (token, rule) = if i % 2 == 0 {
            (&s.partner, s.rule("1.1"))
        } else {
            (&s.other_partner, s.rule("1.2"))
        };
        s.comment(
            token,
            json!({ "rule": rule, "text": format!("Comment {i}."),
                    "person": gid(Kind::Stakeholder, person) }),
        )
        .await;
    }
}

/// The answer to `query` as an editor, and the statements it took. The
/// server's upkeep (the webhook worker fanning out the comments just
/// written) is not counted, so one measure is exact.
async fn statements_for(s: &Scene, query: &str) -> (Value, u64) {
    let before = s.app.statements.get();
    let answer = s.call(&s.editor, query, json!({})).await;
    (answer, s.app.statements.get() - before)
}

/// A page of versions with their rules and every rule's comments, each
/// with its organisation, person and rule, costs a fixed number of
/// statements, for two comments as for eight.
///
/// The version's comments and each rule's read people and organisations at
/// two depths of the answer; whether a loader serves both depths with one
/// statement depends on when each is asked for, so the fixed number is a
/// ceiling (ten when the depths meet, twelve when they do not). One
/// statement per comment would pass it at eight.
async fn comment_lists_cost_a_fixed_number_of_statements(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let person = fixtures::stakeholder(&s.app.db, "Eli Open", StakeholderKind::Policy, None).await;
    let query = "{ guidelines { latest { consultationComments(first: 10) { nodes {
        text organisation { name } person { name } rule { number } } }
        rules { consultationComments(first: 4) { totalCount nodes { text organisation { slug } person { name } } } } } } }";
    add_comments(&s, 0..2, person.id).await;
    let (two, for_two) = statements_for(&s, query).await;
    add_comments(&s, 2..8, person.id).await;
    let (eight, for_eight) = statements_for(&s, query).await;

    let count = |body: &Value| {
        body["data"]["guidelines"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["latest"]["consultationComments"]["nodes"].as_array())
            .map(Vec::len)
            .sum::<usize>()
    };
    assert_eq!(count(&two), 2, "{two:#}");
    assert_eq!(count(&eight), 8);
    for (comments, statements) in [(2, for_two), (8, for_eight)] {
        assert!(
            (10..=12).contains(&statements),
            "{comments} comments took {statements} statements"
        );
    }
}

/// What the README shows runs: a partner's comment, with the placeholder
/// ids of its example replaced by real ones, and the report, which counts it.
async fn the_readme_examples_run(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let documents = readme_documents("**Consultation.** While a version", "\n**Proposals.**");
    assert_eq!(documents.len(), 2, "{documents:?}");
    let person = fixtures::stakeholder(&s.app.db, "Eli Open", StakeholderKind::Policy, None).await;
    let comment = documents[0]
        .replace("R3VpZGVsaW5lVmVyc2lvbjrigKY…", s.version.as_str().unwrap())
        .replace("UnVsZTrigKY…", s.rule("1.1").as_str().unwrap())
        .replace("U3Rha2Vob2xkZXI6…", &gid(Kind::Stakeholder, person.id));

    let added = s.call(&s.partner, &comment, json!({})).await;
    let report = s
        .call(&s.editor, &documents[1], json!({ "version": s.version }))
        .await;

    assert_eq!(
        added["data"]["addConsultationComment"]["status"], "OPEN",
        "{added:#}"
    );
    let report = &report["data"]["consultationReport"];
    assert_eq!(report["totalCount"], 1, "{report:#}");
    assert_eq!(report["comments"]["nodes"][0]["rule"]["number"], "1.1");
}

on_both_databases!(
    partners_comment_during_consultation_and_see_only_their_own,
    authors_edit_and_withdraw_their_own_until_the_consultation_closes,
    bad_comments_are_refused_and_change_nothing,
    adoption_makes_answered_comments_public_without_people,
    the_report_counts_per_rule_and_status_and_the_csv_lists_the_same,
    comment_lists_cost_a_fixed_number_of_statements,
    the_readme_examples_run,
);
