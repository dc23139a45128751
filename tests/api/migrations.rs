//! The migrations are the source of truth: every entity round-trips through
//! the tables they create, on both databases, and they undo cleanly.

use chrono::NaiveDate;
use entity::value::*;
use entity::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryOrder, QuerySelect,
};

use crate::helpers::{Backend, TestDatabase};
use crate::on_both_databases;

async fn migrated(backend: Backend) -> Option<(TestDatabase, DatabaseConnection)> {
    let database = TestDatabase::create(backend).await?;
    let db = database.connect().await;
    Migrator::up(&db, None).await.unwrap();
    Some((database, db))
}

async fn every_entity_round_trips(backend: Backend) {
    let Some((_database, db)) = migrated(backend).await else {
        return;
    };
    let now = api::service::kernel::now();
    let day = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();

    let org = organisation::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        slug: Set("rescaled".into()),
        name: Set("RESCALED".into()),
        website: Set(Some("https://example.org".into())),
        contact: Set(Some("office@example.org".into())),
        suspended_at: Set(Some(now)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let workshop = knowledge_workshop::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        key: Set("be".into()),
        name: Set("Knowledge workshop Belgium".into()),
        country_code: Set(Some("BE".into())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let facility = facility::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        slug: Set("huis".into()),
        name: Set("Huis".into()),
        country_code: Set("BE".into()),
        city: Set(Some("Gent".into())),
        latitude: Set(Some(51.05)),
        longitude: Set(Some(3.72)),
        facility_type: Set(FacilityType::DetentionHouse),
        status: Set(FacilityStatus::Open),
        capacity: Set(Some(20)),
        opened_year: Set(Some(2022)),
        operator: Set(Some("FOD Justitie".into())),
        managed_by: Set(Some(ManagedBy::NationalPrisonAdministration)),
        population: Set(Some(Population::Mixed)),
        target_age: Set(Some(TargetAge::Adults)),
        regime: Set(Some(Regime::SemiOpen)),
        security_level: Set(Some(SecurityLevel::Low)),
        social_enterprise: Set(Some(true)),
        description: Set(Some(LocalizedText::english("A house."))),
        website: Set(Some("https://example.org".into())),
        location_precision: Set(Some(LocationPrecision::Street)),
        sources: Set(Sources(vec![Source {
            url: "https://example.org/source".into(),
            title: Some("Annual report".into()),
            publisher: Some("FOD Justitie".into()),
            read_on: Some(day),
            supports: vec![FacilityFact::Capacity, FacilityFact::OpenedYear],
        }])),
        verified_on: Set(Some(day)),
        maintained_by_id: Set(Some(org.id)),
        sort_name: Set("huis".into()),
        search_text: Set("huis\ngent".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    facility_principle::ActiveModel {
        facility_id: Set(facility.id),
        principle: Set(Principle::SmallScale),
    }
    .insert(&db)
    .await
    .unwrap();
    facility_ecosystem_note::ActiveModel {
        facility_id: Set(facility.id),
        dimension: Set(EcosystemDimension::StaffWellbeing),
        note: Set("Small teams.".into()),
    }
    .insert(&db)
    .await
    .unwrap();
    let person = stakeholder::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        name: Set("A. Researcher".into()),
        kind: Set(StakeholderKind::LivedExperience),
        organisation: Set(Some("KU Leuven".into())),
        country_code: Set(Some("BE".into())),
        email: Set(Some("a@example.org".into())),
        phone: Set(Some("+32 2 000 00 00".into())),
        sort_name: Set("a. researcher".into()),
        search_text: Set("a. researcher".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    workshop_membership::ActiveModel {
        workshop_id: Set(workshop.id),
        stakeholder_id: Set(person.id),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let visit = visit::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        facility_id: Set(facility.id),
        visited_on: Set(day),
        workshop_id: Set(Some(workshop.id)),
        summary: Set(Some(LocalizedText::english("We visited."))),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    visit_participant::ActiveModel {
        visit_id: Set(visit.id),
        stakeholder_id: Set(person.id),
    }
    .insert(&db)
    .await
    .unwrap();
    visit_finding::ActiveModel {
        visit_id: Set(visit.id),
        dimension: Set(EcosystemDimension::Architecture),
        note: Set("Open courtyard.".into()),
    }
    .insert(&db)
    .await
    .unwrap();
    let session = learning_session::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        title: Set("Relational security in practice".into()),
        held_on: Set(day),
        level: Set(SessionLevel::European),
        country_code: Set(None),
        topic: Set(SessionTopic::RelationalSecurity),
        workshop_id: Set(Some(workshop.id)),
        outcomes: Set(None),
        search_text: Set("relational security in practice".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    learning_session_participant::ActiveModel {
        session_id: Set(session.id),
        stakeholder_id: Set(person.id),
    }
    .insert(&db)
    .await
    .unwrap();
    let rules = guideline::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        key: Set("ecosystem-rules".into()),
        title: Set("European Rules".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let v1 = guideline_version::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        guideline_id: Set(rules.id),
        number: Set(1),
        status: Set(GuidelineStatus::Consultation),
        title: Set("First draft".into()),
        body: Set("# Rules\n".into()),
        published_on: Set(Some(day)),
        search_text: Set("first draft".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    guideline_version_visit::ActiveModel {
        guideline_version_id: Set(v1.id),
        visit_id: Set(visit.id),
    }
    .insert(&db)
    .await
    .unwrap();
    guideline_version_session::ActiveModel {
        guideline_version_id: Set(v1.id),
        session_id: Set(session.id),
    }
    .insert(&db)
    .await
    .unwrap();
    let comment = consultation_comment::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        guideline_version_id: Set(v1.id),
        rule_id: Set(None),
        organisation_id: Set(Some(org.id)),
        author: Set(Some("partner@example.org".into())),
        stakeholder_id: Set(Some(person.id)),
        text: Set("Say how small.".into()),
        status: Set(CommentStatus::PartlyAccepted),
        answer: Set(Some("In part.".into())),
        answered_by: Set(Some("editor@example.org".into())),
        answered_at: Set(Some(now)),
        withdrawn_at: Set(None),
        version: Set(2),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(
        consultation_comment::Entity::find_by_id(comment.id)
            .one(&db)
            .await
            .unwrap(),
        Some(comment)
    );

    assert_eq!(
        facility::Entity::find_by_id(facility.id)
            .one(&db)
            .await
            .unwrap(),
        Some(facility)
    );
    assert_eq!(
        stakeholder::Entity::find_by_id(person.id)
            .one(&db)
            .await
            .unwrap(),
        Some(person)
    );
    assert_eq!(
        visit::Entity::find_by_id(visit.id).one(&db).await.unwrap(),
        Some(visit)
    );
    assert_eq!(
        learning_session::Entity::find_by_id(session.id)
            .one(&db)
            .await
            .unwrap(),
        Some(session)
    );
    assert_eq!(
        guideline_version::Entity::find_by_id(v1.id)
            .one(&db)
            .await
            .unwrap(),
        Some(v1)
    );
    assert_eq!(
        organisation::Entity::find_by_id(org.id)
            .one(&db)
            .await
            .unwrap(),
        Some(org)
    );
    assert_eq!(
        knowledge_workshop::Entity::find_by_id(workshop.id)
            .one(&db)
            .await
            .unwrap(),
        Some(workshop)
    );
    let issued = api_token::ActiveModel {
        jti: Set(sea_orm::prelude::Uuid::now_v7().to_string()),
        subject: Set("sync@example.org".into()),
        role: Set(Role::Partner),
        organisation: Set(Some("rescaled".into())),
        label: Set(Some("nightly sync".into())),
        issued_at: Set(now),
        expires_at: Set(now),
        issued_by: Set(Some("admin@example.org".into())),
        revoked_at: Set(Some(now)),
        revoked_by: Set(None),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(
        api_token::Entity::find_by_id(issued.id)
            .one(&db)
            .await
            .unwrap(),
        Some(issued)
    );
}

async fn database_refuses_what_the_model_forbids(backend: Backend) {
    let Some((_database, db)) = migrated(backend).await else {
        return;
    };
    let now = api::service::kernel::now();
    let valid = facility::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        slug: Set("huis".into()),
        name: Set("Huis".into()),
        country_code: Set("BE".into()),
        facility_type: Set(FacilityType::Other),
        status: Set(FacilityStatus::Open),
        sort_name: Set("huis".into()),
        search_text: Set("huis".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    valid.clone().insert(&db).await.unwrap();

    let mut duplicate_slug = valid.clone();
    duplicate_slug.name = Set("Other".into());
    let mut zero_capacity = valid.clone();
    zero_capacity.slug = Set("zero".into());
    zero_capacity.capacity = Set(Some(0));
    let mut off_the_globe = valid.clone();
    off_the_globe.slug = Set("off".into());
    off_the_globe.latitude = Set(Some(91.0));
    off_the_globe.longitude = Set(Some(0.0));
    let mut unknown_org = valid.clone();
    unknown_org.slug = Set("orphan".into());
    unknown_org.maintained_by_id = Set(Some(4242));
    let mut long_country = valid.clone();
    long_country.slug = Set("country".into());
    long_country.country_code = Set("BEL".into());

    for (what, model) in [
        ("duplicate slug", duplicate_slug),
        ("capacity 0", zero_capacity),
        ("latitude 91", off_the_globe),
        ("unknown organisation", unknown_org),
        ("three-letter country", long_country),
    ] {
        assert!(
            model.insert(&db).await.is_err(),
            "the database accepted a row with {what}"
        );
    }
    let raw_enum = db
        .execute_unprepared(
            "INSERT INTO facility (uuid, slug, name, country_code, facility_type, status, sort_name, search_text, version, created_at, updated_at) \
             VALUES ('01900000-0000-7000-8000-000000000001', 'castle', 'Castle', 'BE', 'castle', 'open', 'castle', 'castle', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        )
        .await;
    assert!(
        raw_enum.is_err(),
        "the database accepted an unknown facility type"
    );
}

async fn migrations_undo_and_redo(backend: Backend) {
    let Some((_database, db)) = migrated(backend).await else {
        return;
    };

    Migrator::down(&db, None).await.unwrap();
    let after_down = Migrator::get_pending_migrations(&db).await.unwrap().len();
    Migrator::up(&db, None).await.unwrap();

    assert_eq!(after_down, Migrator::migrations().len());
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(facility::Entity::find().all(&db).await.unwrap(), vec![]);
}

/// Rows written before records had UUIDs get one each, distinct, and keep
/// every other column.
async fn uuids_are_given_to_existing_rows(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let db = database.connect().await;
    let before_uuids = migrations_before("m20261201_000010_add_record_uuid");
    Migrator::up(&db, Some(before_uuids)).await.unwrap();
    for slug in ["huis", "thuis"] {
        db.execute_unprepared(&format!(
            "INSERT INTO facility (slug, name, country_code, facility_type, status, sort_name, search_text, version, created_at, updated_at) \
             VALUES ('{slug}', 'Huis {slug}', 'BE', 'other', 'open', '{slug}', '{slug}', 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        ))
        .await
        .unwrap();
    }

    Migrator::up(&db, None).await.unwrap();

    let rows = facility::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_ne!(rows[0].uuid, rows[1].uuid);
    assert!(rows.iter().all(|f| f.uuid.get_version_num() == 7));
    assert_eq!(
        rows.iter()
            .map(|f| (f.slug.as_str(), f.name.as_str(), f.version))
            .collect::<Vec<_>>(),
        [("huis", "Huis huis", 3), ("thuis", "Huis thuis", 3)]
    );
}

/// A facility stored before facilities had sources keeps its one source URL
/// as its first source, and undoing the migration gives the URL back.
async fn a_stored_source_url_becomes_the_first_source(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let db = database.connect().await;
    // Before UUIDs too, so the row needs no more columns than it had then.
    let before_uuids = migrations_before("m20261201_000010_add_record_uuid");
    Migrator::up(&db, Some(before_uuids)).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO facility (slug, name, country_code, facility_type, status, sort_name, \
         search_text, version, created_at, updated_at, source_url) VALUES \
         ('huis', 'Huis', 'BE', 'detention_house', 'open', 'huis', 'huis', 1, \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'https://example.org/huis')",
    )
    .await
    .unwrap();

    Migrator::up(&db, None).await.unwrap();
    let sources = text_of(&db, "SELECT CAST(sources AS TEXT) FROM facility").await;
    let sources: serde_json::Value = serde_json::from_str(&sources).unwrap();
    assert_eq!(
        sources,
        serde_json::json!([{ "url": "https://example.org/huis" }])
    );
    let stored = facility::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(
        stored.sources,
        Sources(vec![Source::at("https://example.org/huis")])
    );

    // Undo it and every migration after it.
    let from_provenance = Migrator::migrations().len() as u32
        - migrations_before("m20261201_000020_add_facility_provenance");
    Migrator::down(&db, Some(from_provenance)).await.unwrap();
    let url = text_of(&db, "SELECT source_url FROM facility").await;
    assert_eq!(url, "https://example.org/huis");
}

/// Audit snapshots of stakeholders written before keep whether an e-mail
/// and a phone were set and changed, not their values, and leave the public
/// feed; the log then takes `erased` events, until the migration is undone.
async fn stored_snapshots_lose_contact_details(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let db = database.connect().await;
    let before_scrub = migrations_before("m20261202_000031_keep_contact_details_out_of_audit");
    Migrator::up(&db, Some(before_scrub)).await.unwrap();
    let insert = |id: i32, action: &str, before: &str, after: &str| {
        format!(
            "INSERT INTO audit_event (occurred_at, actor_role, entity_type, entity_id, action, \
             entity_version, public, before_state, after_state, origin) VALUES \
             ('2026-01-01T00:00:00Z', 'editor', 'stakeholder', {id}, '{action}', 1, true, {before}, {after}, 'api')"
        )
    };
    for sql in [
        insert(
            7,
            "created",
            "NULL",
            "'{\"name\": \"Jo\", \"email\": \"jo-5150@example.org\", \"phone\": null}'",
        ),
        insert(
            7,
            "updated",
            "'{\"name\": \"Jo\", \"email\": \"jo-5150@example.org\", \"phone\": null}'",
            "'{\"name\": \"Jo\", \"email\": \"jo-5150@example.org\", \"phone\": \"+32 2 515 05 15\"}'",
        ),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }

    Migrator::up(&db, Some(1)).await.unwrap();

    // The columns of that time: later migrations add more.
    let events = audit_event::Entity::find()
        .select_only()
        .columns([audit_event::Column::Public, audit_event::Column::AfterState])
        .order_by_asc(audit_event::Column::Id)
        .into_model::<EarlyEvent>()
        .all(&db)
        .await
        .unwrap();
    let text = format!("{events:?}");
    assert!(
        !text.contains("5150") && !text.contains("515 05 15"),
        "{text}"
    );
    assert!(events.iter().all(|e| !e.public));
    let marker = |set, changed| serde_json::json!({ "set": set, "changed": changed });
    let after = events[1].after_state.as_ref().unwrap();
    assert_eq!(after["email"], marker(true, false));
    assert_eq!(after["phone"], marker(true, true));
    assert_eq!(after["name"], "Jo");
    assert_eq!(
        events[0].after_state.as_ref().unwrap()["email"],
        marker(true, true)
    );
    let erased = insert(7, "erased", "NULL", "NULL");
    db.execute_unprepared(&erased).await.unwrap();

    Migrator::down(&db, Some(1)).await.unwrap();
    assert_eq!(
        audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Id)
            .into_tuple::<i64>()
            .all(&db)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        db.execute_unprepared(&erased).await.is_err(),
        "the undone migration refuses `erased` again"
    );
}

/// An audit event as the log kept it before proposals.
#[derive(Debug, sea_orm::FromQueryResult)]
struct EarlyEvent {
    public: bool,
    after_state: Option<serde_json::Value>,
}

/// How many migrations come before the one named `name`.
fn migrations_before(name: &str) -> u32 {
    let position = Migrator::migrations()
        .iter()
        .position(|m| m.name() == name)
        .unwrap();
    u32::try_from(position).unwrap()
}

async fn text_of(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

on_both_databases!(
    uuids_are_given_to_existing_rows,
    every_entity_round_trips,
    database_refuses_what_the_model_forbids,
    migrations_undo_and_redo,
    a_stored_source_url_becomes_the_first_source,
    stored_snapshots_lose_contact_details
);
