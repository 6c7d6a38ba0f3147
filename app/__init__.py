"""Window Patrol's core: plain Python, no Qt. Its parts are layers; each imports only those below it
(checked by the import contract in .importlinter, run in CI):

    demo        demo data: a centre or a district with a month of patrols
    setup       a new centre (settings, shipped checklists, the seeds' scheme, its key); a district's new centre
    exchange    laptops and offices: device register, set-up files, results and centre packages, restore
    loop        what follows a record: finalise and amend, rectification rules, appeals, second approval,
                publication, and the paper that proves it (QR payloads, verify)
    assessment  schemes, conduct and praise registers, votes, 好差评 ratings, assessments and awards
    results     rankings, probation, revisions, pay lists, dashboards, reports, rectification items, centre rankings
    patrolling  checklists and their versions, inspections, scoring, rounds, photos, labels, notices, records
    people      accounts, the roster and its imports
    centres     the centre in view, settings and rules by date, the district's centres, the wall between
                centres, the holiday calendar
    audit | keys    the audit trail | this database's key and whose signatures it accepts
    storage     database, models, migrations, backups, faults: nothing of the app above it
    periods | roles | context | cells    reporting periods | role checks | who, which centre, which day | cell text
    domain      the domain's words (methods, results, severities, settings, conduct and praise kinds)
    errors      the errors a person is shown
"""
