//! Generated GraphQL documents and variables against the real app: whatever
//! arrives, the server answers without a panic or a 5xx, and every error
//! carries a code of the contract and no internals.
//!
//! `WISH_FUZZ_CASES` sets how many documents each database gets (300 by
//! default, which CI runs; a longer run: `WISH_FUZZ_CASES=20000 cargo test
//! --test integration fuzz`).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

const CODES: [&str; 8] = [
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "QUERY_TOO_COMPLEX",
    "RATE_LIMITED",
    "INTERNAL",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "-1", "0", "1", "500", "501", "100000", "1.5", "true", "null"
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,30}".prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        "[A-Z_]{1,20}",
        Just("\"RmFjaWxpdHk6MQ\"".to_owned()),
        Just("[\"BE\", \"XX\", \"nl\"]".to_owned()),
        Just("{ countryCode: [\"BE\"], capacityMin: 3, text: \"liège\" }".to_owned()),
        Just("{ west: 200, south: 10, east: 0, north: -5 }".to_owned()),
        Just("$v".to_owned()),
    ]
}

fn arguments() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "first",
        "last",
        "after",
        "before",
        "id",
        "slug",
        "text",
        "lang",
        "filter",
        "bbox",
        "orderBy",
        "key",
        "against",
        "input",
        "expectedVersion",
        "csv",
        "dryRun",
        "to",
        "bogus",
    ]);
    prop::collection::vec((name, scalar()), 0..3).prop_map(|args| {
        if args.is_empty() {
            String::new()
        } else {
            let inner: Vec<String> = args.into_iter().map(|(n, v)| format!("{n}: {v}")).collect();
            format!("({})", inner.join(", "))
        }
    })
}

fn selection() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "id",
        "name",
        "slug",
        "totalCount",
        "capacity",
        "email",
        "phone",
        "status",
        "number",
        "__typename",
        "body",
        "latitude",
        "cursor",
        "visitedOn",
        "title",
        "nonsense",
    ])
    .prop_map(str::to_owned);
    leaf.prop_recursive(4, 24, 4, |inner| {
        (
            prop::sample::select(vec![
                "nodes",
                "edges",
                "node",
                "pageInfo",
                "visits",
                "facility",
                "participants",
                "workshops",
                "versions",
                "latest",
                "informedBy",
                "diff",
                "lines",
                "members",
                "ecosystem",
                "findings",
                "description",
                "... on Facility",
                "... on Visit",
            ]),
            arguments(),
            prop::collection::vec(inner, 1..4),
        )
            .prop_map(|(field, args, children)| {
                let args = if field.starts_with("...") {
                    String::new()
                } else {
                    args
                };
                format!("{field}{args} {{ {} }}", children.join(" "))
            })
    })
}

fn document() -> impl Strategy<Value = (String, Value)> {
    let root = prop::sample::select(vec![
        "facilities",
        "facility",
        "visits",
        "visit",
        "learningSessions",
        "stakeholders",
        "stakeholder",
        "knowledgeWorkshops",
        "guidelines",
        "guideline",
        "guidelineVersion",
        "search",
        "node",
        "changes",
        "auditLog",
        "facilityStats",
        "facilitiesGeoJson",
        "viewer",
        "createFacility",
        "updateFacility",
        "importFacilities",
        "advanceGuidelineVersion",
    ]);
    let operation = prop::sample::select(vec![
        "query",
        "mutation",
        "query Named($v: Int)",
        "subscription",
        "",
    ]);
    let variables = prop_oneof![
        Just(json!({})),
        any::<i32>().prop_map(|n| json!({ "v": n })),
        "[ -~]{0,20}".prop_map(|s| json!({ "v": s, "id": s })),
        Just(json!({ "v": [1, 2, 3] })),
    ];
    let garbage = "[ -~]{0,60}".prop_map(|s| (s, json!({})));
    let structured = (
        operation,
        prop::collection::vec((root, arguments(), prop::option::of(selection())), 1..3),
        variables,
    )
        .prop_map(|(operation, fields, variables)| {
            let body: Vec<String> = fields
                .into_iter()
                .map(|(field, args, selection)| match selection {
                    Some(selection) => format!("{field}{args} {{ {selection} }}"),
                    None => format!("{field}{args}"),
                })
                .collect();
            (format!("{operation} {{ {} }}", body.join(" ")), variables)
        });
    prop_oneof![9 => structured, 1 => garbage]
}

fn cases() -> usize {
    std::env::var("WISH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

async fn generated_documents_get_answers_or_contract_errors(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut runner = TestRunner::deterministic();
    let strategy = document();
    for _ in 0..cases() {
        let (query, variables) = strategy
            .new_tree(&mut runner)
            .expect("a generated document")
            .current();
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(status.as_u16() < 500, "{status} for {query}");
        let body: Value = response.json().await.unwrap();
        for error in body["errors"].as_array().into_iter().flatten() {
            let code = error["extensions"]["code"].as_str().unwrap_or_default();
            assert!(
                CODES.contains(&code),
                "no contract code for {query}: {error:#}"
            );
            let message = error["message"].as_str().unwrap_or_default().to_lowercase();
            for leak in ["select ", "sqlx", "sea_orm", "panicked", "/src/"] {
                assert!(
                    !message.contains(leak),
                    "`{leak}` leaks for {query}: {message}"
                );
            }
        }
    }
    // Still healthy afterwards.
    let after = app
        .graphql("{ facilities { totalCount } }", json!({}))
        .await;
    assert!(after.get("errors").is_none());
}

on_both_databases!(generated_documents_get_answers_or_contract_errors);
