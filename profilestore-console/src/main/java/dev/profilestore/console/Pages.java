package dev.profilestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.Names;
import dev.profilestore.ProfileMessage;
import dev.profilestore.SaveCause;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.admin.StoredProfile;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.profilestore.console.Html.esc;
import static dev.profilestore.console.Html.url;

/** The console's read-only pages. Each reads the store when it is asked for, so it shows what is stored now. */
final class Pages {

    private static final int FIND_LIMIT = 100;
    private static final int VERSIONS_LIMIT = 200;

    private final Storage storage;
    private final String storeName;
    private final String description;
    private final AuditLog audit;
    private final MetricsSampler metrics;

    Pages(Storage storage, String storeName, String description, AuditLog audit, MetricsSampler metrics) {
        this.storage = storage;
        this.storeName = storeName;
        this.description = description;
        this.audit = audit;
        this.metrics = metrics;
    }

    // ------------------------------------------------------------------ sessions

    String sessions(Auth.Session s) {
        String body = "<p>Store name <b>" + esc(storeName) + "</b> in " + esc(description)
                + ". This table refreshes itself every 2 seconds.</p>"
                + "<div id=\"live\" data-src=\"/fragment/sessions\">" + sessionsFragment() + "</div>";
        return Html.page("Live sessions", s.operator(), null, body);
    }

    /** The live part of the sessions page, fetched again by the page's script. */
    String sessionsFragment() {
        StoreScan scan = StoreScan.of(storage, storeName);
        Instant now = Instant.now();
        StringBuilder b = new StringBuilder();
        b.append("<p class=\"summary\"><span id=\"held-count\">").append(scan.sessions().size())
                .append("</span> held of ").append(scan.profiles()).append(" profile(s); ")
                .append(scan.pendingTakeovers()).append(" handoff(s) under way; ").append(handoffRate())
                .append("; store errors since start: ").append(metrics.errorCount())
                .append(scan.truncated() ? "; only the first " + StoreScan.MAX_KEYS + " keys were read" : "")
                .append("</p>");
        if (scan.sessions().isEmpty()) {
            b.append("<p>No profile is held.</p>");
        } else {
            b.append("<table id=\"sessions\"><thead><tr><th>Profile</th><th>Server</th><th>Session</th><th>Epoch</th>"
                    + "<th>Since</th><th>Lease left</th><th>Waiting</th></tr></thead><tbody>");
            for (SessionRow r : scan.sessions()) {
                b.append("<tr><td><a href=\"/profile?key=").append(esc(url(r.key()))).append("\">").append(esc(r.key()))
                        .append("</a></td><td>").append(esc(r.serverId())).append("</td><td class=\"mono\">")
                        .append(esc(r.sessionId())).append("</td><td>").append(r.epoch()).append("</td><td>")
                        .append(esc(r.since())).append(" (").append(ago(Duration.between(r.since(), now)))
                        .append(" ago)</td><td>").append(lease(r.leaseLeft())).append("</td><td>")
                        .append(r.takeoverBy() == null ? "-" : esc(r.takeoverBy())).append("</td></tr>");
            }
            b.append("</tbody></table>");
            b.append("<h2>Servers</h2><table id=\"servers\"><thead><tr><th>Server</th><th>Profiles held</th>"
                    + "<th>Lease left</th></tr></thead><tbody>");
            scan.sessions().stream().collect(java.util.stream.Collectors.groupingBy(SessionRow::serverId,
                    java.util.TreeMap::new, java.util.stream.Collectors.toList())).forEach((server, rows) ->
                    b.append("<tr><td>").append(esc(server)).append("</td><td>").append(rows.size())
                            .append("</td><td>").append(lease(rows.getFirst().leaseLeft())).append("</td></tr>"));
            b.append("</tbody></table>");
        }
        return b.toString();
    }

    private String handoffRate() {
        List<MetricsSampler.Sample> s = metrics.samples();
        if (s.size() < 2) {
            return "session starts per minute: not measured yet";
        }
        var a = s.get(Math.max(0, s.size() - 13));
        var z = s.getLast();
        double minutes = Math.max(1e-3, Duration.between(a.at(), z.at()).toMillis() / 60_000.0);
        return String.format(java.util.Locale.ROOT, "session starts per minute: %.1f",
                (z.sessionsStarted() - a.sessionsStarted()) / minutes);
    }

    private static String lease(Duration left) {
        if (left.isZero() || left.isNegative()) {
            return "<span class=\"bad\">run out: the next start takes it over</span>";
        }
        if (left.equals(Storage.UNKNOWN_REMAINING)) {
            return "live (this backend cannot tell how long)";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", left.toMillis() / 1000.0);
    }

    private static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }

    // ------------------------------------------------------------------ find

    String find(Auth.Session s, Request r) {
        String q = r.param("q") == null ? "" : r.param("q").trim();
        String by = r.param("by") == null ? "key" : r.param("by");
        StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/find\" class=\"find\">"
                + "<input name=\"q\" id=\"q\" placeholder=\"key, key prefix or user id\" value=\"" + esc(q) + "\">"
                + "<select name=\"by\" id=\"by\">");
        for (String opt : List.of("key", "prefix", "user")) {
            b.append("<option value=\"").append(opt).append('"').append(opt.equals(by) ? " selected" : "").append('>')
                    .append(switch (opt) {
                        case "key" -> "exact key";
                        case "prefix" -> "key prefix";
                        default -> "user id";
                    }).append("</option>");
        }
        b.append("</select> <button type=\"submit\" id=\"find\">Find</button></form>");
        if (!q.isEmpty()) {
            List<String> keys = switch (by) {
                case "key" -> {
                    key(q);
                    yield storage.read(storeName, q).isPresent() ? List.of(q) : List.of();
                }
                case "prefix" -> byPrefix(q);
                case "user" -> storage.keysByUserId(storeName, userId(q));
                default -> throw new BadRequest("unknown search '" + by + "': use key, prefix or user");
            };
            if (keys.isEmpty()) {
                b.append("<p id=\"results\">No profile found.</p>");
            } else {
                b.append("<ul id=\"results\">");
                for (String k : keys) {
                    b.append("<li><a href=\"/profile?key=").append(esc(url(k))).append("\">").append(esc(k))
                            .append("</a></li>");
                }
                b.append("</ul>");
                if (keys.size() == FIND_LIMIT) {
                    b.append("<p>Only the first ").append(FIND_LIMIT).append(" are listed.</p>");
                }
            }
        }
        return Html.page("Find a profile", s.operator(), null, b.toString());
    }

    private List<String> byPrefix(String prefix) {
        // Read page by page, not by a range: the order of keys is the backend's collation, which need not be Java's.
        List<String> out = new ArrayList<>();
        String after = null;
        int seen = 0;
        while (out.size() < FIND_LIMIT && seen < StoreScan.MAX_KEYS) {
            List<String> page = storage.listKeys(storeName, after, 500);
            for (String k : page) {
                if (k.startsWith(prefix) && out.size() < FIND_LIMIT) {
                    out.add(k);
                }
            }
            seen += page.size();
            if (page.size() < 500) {
                break;
            }
            after = page.getLast();
        }
        return out;
    }

    static long userId(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest("'" + s + "' is not a user id (a whole number)");
        }
    }

    static String key(String k) {
        try {
            return Names.key(k);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid profile key: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ profile

    String profile(Auth.Session s, Request r) {
        String k = key(r.required("key"));
        Optional<StoredRecord> rec = storage.read(storeName, k);
        List<VersionInfo> versions = storage.capabilities().versions()
                ? storage.versions(storeName, k, new VersionRange(null, null, true, VERSIONS_LIMIT)) : List.of();
        if (rec.isEmpty() && versions.isEmpty()) {
            throw new BadRequest(404, "no profile '" + k + "' in store '" + storeName + "'");
        }
        StringBuilder b = new StringBuilder();
        StoredProfile p = null;
        if (rec.isEmpty()) {
            b.append("<p class=\"warn\">This profile has no current record (it was removed); its saved versions are"
                    + " listed below.</p>");
        } else {
            p = decode(k, rec.get());
            metadataTable(b, rec.get(), p);
        }
        versionsTable(b, s, k, versions);
        if (p != null) {
            b.append("<h2>Data</h2>").append(p.messageBox() ? "<p>(only messages were sent to it)</p>"
                    : JsonTree.render(p.data()));
        }
        actions(b, s, k, p);
        return Html.page("Profile " + k, s.operator(), null, b.toString());
    }

    private static StoredProfile decode(String k, StoredRecord rec) {
        try {
            return ProfileRecords.decode(rec.payload());
        } catch (CorruptProfileException | UnsupportedFormatException e) {
            throw new BadRequest(422, "profile '" + k + "' is not a readable ProfileStore record (a foreign, corrupt or"
                    + " newer value): " + OperatorActions.firstLine(e.getMessage()));
        }
    }

    private void metadataTable(StringBuilder b, StoredRecord rec, StoredProfile p) {
        b.append("<table class=\"pairs\" id=\"meta\"><tbody>");
        pair(b, "revision", Long.toString(rec.revision()));
        pair(b, "created", rec.createdAt().toString());
        pair(b, "last update", rec.updatedAt().toString());
        pair(b, "sessions so far", p.messageBox() ? "none (only messages were sent to it)" : Long.toString(p.loadCount()));
        String lock = p.lock().map(l -> "held by server " + l.serverId() + ", session " + l.sessionId() + ", epoch "
                + l.epoch() + ", since " + l.since() + (storage.isLeaseLive(l.leaseId()) ? " (server alive)"
                : " (server lease run out: the next start takes it over)")).orElse("free");
        b.append("<tr><th>lock</th><td id=\"lock\">").append(esc(lock)).append("</td></tr>");
        p.takeover().ifPresent(t -> pair(b, "takeover requested by", t.serverId()));
        b.append("<tr><th>user ids</th><td id=\"user-ids\">").append(esc(p.userIds())).append("</td></tr>");
        pair(b, "metadata", p.metadata().toString());
        b.append("<tr><th>pending messages</th><td id=\"messages\">");
        if (p.messages().isEmpty()) {
            b.append("none");
        } else {
            for (ProfileMessage m : p.messages()) {
                b.append("<div>#").append(m.id()).append(' ').append(esc(m.body())).append("</div>");
            }
        }
        b.append("</td></tr></tbody></table>");
    }

    private static void pair(StringBuilder b, String k, String v) {
        b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    private void versionsTable(StringBuilder b, Auth.Session s, String k, List<VersionInfo> versions) {
        b.append("<h2>Versions</h2>");
        if (versions.isEmpty()) {
            b.append("<p>No saved versions yet (they are kept at session ends and periodic snapshots).</p>");
            return;
        }
        b.append("<form method=\"get\" action=\"/diff\" class=\"inline\" id=\"diff-form\">")
                .append(Html.hidden("key", k)).append("Diff <select name=\"a\" id=\"diff-a\">");
        for (VersionInfo v : versions) {
            b.append("<option value=\"").append(esc(v.versionId())).append("\">").append(esc(v.versionId()))
                    .append("</option>");
        }
        b.append("</select> against <select name=\"b\" id=\"diff-b\"><option value=\"current\">current data</option>");
        for (VersionInfo v : versions) {
            b.append("<option value=\"").append(esc(v.versionId())).append("\">").append(esc(v.versionId()))
                    .append("</option>");
        }
        b.append("</select> <button type=\"submit\" id=\"diff\">Show diff</button></form>");
        b.append("<table id=\"versions\"><thead><tr><th>Version</th><th>Saved at</th><th>Cause</th><th>Revision</th><th></th><th></th>"
                + "</tr></thead><tbody>");
        for (VersionInfo v : versions) {
            String id = v.versionId();
            b.append("<tr data-version=\"").append(esc(id)).append("\"><td>").append(esc(id)).append("</td><td>")
                    .append(esc(v.savedAt())).append("</td><td class=\"cause\">").append(causeLabel(v.cause()))
                    .append("</td><td>").append(v.revision()).append("</td><td>")
                    .append(Html.form("/action/pin", s.csrf(), "inline")).append(Html.hidden("key", k))
                    .append(Html.hidden("version", id))
                    .append("<button type=\"submit\" class=\"pin\">Pin</button></form></td><td>")
                    .append(Html.form("/action/rollback", s.csrf(), "inline")).append(Html.hidden("key", k))
                    .append(Html.hidden("version", id))
                    .append("<button type=\"submit\" class=\"rollback\">Roll back to this</button></form></td></tr>");
        }
        b.append("</tbody></table>");
    }

    /** How a version's cause reads on the page. */
    private static String causeLabel(SaveCause cause) {
        return switch (cause) {
            case SESSION_END -> "session end";
            case PERIODIC -> "periodic snapshot";
            case OVERWRITE -> "overwrite";
            case ROLLBACK -> "rollback";
            case OPERATOR -> "operator action";
            case REPLACED -> "replaced value";
            case UNKNOWN -> "not recorded";
        };
    }

    private static void actions(StringBuilder b, Auth.Session s, String k, StoredProfile p) {
        b.append("<h2>Operator actions</h2>");
        b.append(Html.form("/action/message", s.csrf(), "action")).append(Html.hidden("key", k))
                .append("<label>Send a message (a gift), as JSON: <input name=\"body\" id=\"message-body\" size=\"40\""
                        + " value=\"{&quot;gift&quot;: &quot;&quot;}\"></label> <button type=\"submit\" id=\"send\">"
                        + "Send</button></form>");
        if (p != null && (p.lock().isPresent() || p.takeover().isPresent())) {
            b.append(Html.form("/action/release", s.csrf(), "action danger")).append(Html.hidden("key", k))
                    .append("<p><b>Force release (dangerous).</b> This clears the lock without asking its holder. If the"
                            + " holder is in fact alive, its next save fails and its unsaved changes are lost; a crashed"
                            + " holder's lock is taken over after its lease anyway. Prefer a rollback, or waiting.</p>"
                            + "<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" id=\"release-confirm\">"
                            + " I understand</label> <button type=\"submit\" id=\"release\">Force release</button>"
                            + "</form>");
        }
    }

    // ------------------------------------------------------------------ diff

    String diff(Auth.Session s, Request r) {
        String k = key(r.required("key"));
        String a = r.required("a");
        String bId = r.required("b");
        JsonNode left = versionData(k, a);
        JsonNode right = "current".equals(bId) ? storage.read(storeName, k).map(rec -> decode(k, rec).data())
                .orElseThrow(() -> new BadRequest(404, "profile '" + k + "' has no current record"))
                : versionData(k, bId);
        List<JsonDiff.Change> changes = JsonDiff.diff(left, right);
        StringBuilder b = new StringBuilder("<p>Version ").append(esc(a)).append(" → ")
                .append("current".equals(bId) ? "current data" : "version " + esc(bId))
                .append(" of <a href=\"/profile?key=").append(esc(url(k))).append("\">").append(esc(k))
                .append("</a></p>");
        if (changes.isEmpty()) {
            b.append("<p id=\"no-changes\">No differences.</p>");
        } else {
            b.append("<table id=\"changes\"><thead><tr><th>Path</th><th>Change</th><th>Before</th><th>After</th></tr>"
                    + "</thead><tbody>");
            for (JsonDiff.Change c : changes) {
                b.append("<tr class=\"").append(c.kind().name().toLowerCase(java.util.Locale.ROOT)).append("\"><td>")
                        .append(esc(c.path())).append("</td><td>").append(c.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .append("</td><td>").append(c.before().isMissingNode() ? "" : esc(c.before()))
                        .append("</td><td>").append(c.after().isMissingNode() ? "" : esc(c.after())).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return Html.page("Diff of " + k, s.operator(), null, b.toString());
    }

    private JsonNode versionData(String k, String id) {
        StoredRecord rec = storage.readVersion(storeName, k, id).orElseThrow(() -> new BadRequest(404,
                "no version '" + id + "' of profile '" + k + "'"));
        return decode(k, rec).data();
    }

    // ------------------------------------------------------------------ erase, audit, metrics

    String erase(Auth.Session s) {
        String body = "<p>Right to erasure: deletes every profile tied to a user id, with all its saved versions."
                + " A server holding one finds its lock gone at its next save and ends that session without saving."
                + " This cannot be undone.</p>" + Html.form("/action/erase", s.csrf(), "action danger")
                + "<label>User id <input name=\"user_id\" id=\"erase-user\"></label><br><label>Type <code>erase"
                + " USER-ID</code> to confirm: <input name=\"confirm\" id=\"erase-confirm\" autocomplete=\"off\"></label>"
                + " <button type=\"submit\" id=\"erase\">Erase</button></form>";
        return Html.page("Erase by user id", s.operator(), null, body);
    }

    String audit(Auth.Session s) {
        List<AuditEntry> entries = audit.newest(200);
        StringBuilder b = new StringBuilder("<p>Every operator action on this store, from the console and the command"
                + " line, newest first (kept in the store under the name <code>" + AuditLog.STORE_NAME + "</code>).</p>");
        if (entries.isEmpty()) {
            b.append("<p>No operator actions yet.</p>");
        } else {
            b.append("<table id=\"audit\"><thead><tr><th>When</th><th>Who</th><th>Tool</th><th>Action</th>"
                    + "<th>Store</th><th>Target</th><th>Revision before → after</th><th>Result</th><th>Detail</th></tr>"
                    + "</thead><tbody>");
            for (AuditEntry e : entries) {
                b.append("<tr class=\"").append(e.ok() ? "ok" : "failed").append("\"><td>").append(esc(e.at()))
                        .append("</td><td>").append(esc(e.operator())).append("</td><td>").append(esc(e.tool()))
                        .append("</td><td class=\"action\">").append(esc(e.action())).append("</td><td>")
                        .append(esc(e.storeName())).append("</td><td>").append(esc(e.target())).append("</td><td>")
                        .append(e.revisionBefore()).append(" → ").append(e.revisionAfter()).append("</td><td>")
                        .append(e.ok() ? "done" : "failed").append("</td><td>").append(esc(e.detail()))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return Html.page("Audit log", s.operator(), null, b.toString());
    }

    String metrics(Auth.Session s) {
        List<MetricsSampler.Sample> samples = metrics.samples();
        List<Double> rate = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            var a = samples.get(i - 1);
            var z = samples.get(i);
            double minutes = Math.max(1e-3, Duration.between(a.at(), z.at()).toMillis() / 60_000.0);
            rate.add(Math.max(0, z.sessionsStarted() - a.sessionsStarted()) / minutes);
        }
        StringBuilder b = new StringBuilder("<p>Drawn from the store's own records, sampled by this console ("
                + samples.size() + " sample(s) kept in memory since it started; the servers' own meters are not read"
                + " here).</p><div id=\"charts\">");
        b.append(SvgChart.line("Held sessions", samples.stream().map(x -> (double) x.held()).toList(), "sessions"));
        b.append(SvgChart.line("Session starts (handoffs and logins) per minute", rate, "/min"));
        b.append(SvgChart.line("Handoffs under way", samples.stream().map(x -> (double) x.takeovers()).toList(), ""));
        b.append(SvgChart.line("Pending messages", samples.stream().map(x -> (double) x.messages()).toList(), ""));
        b.append(SvgChart.line("Time to read the store once", samples.stream().map(x -> (double) x.scanMillis())
                .toList(), "ms"));
        b.append(SvgChart.line("Store errors seen by the console", samples.stream().map(x -> (double) x.storeErrors())
                .toList(), "in all"));
        return Html.page("Metrics", s.operator(), null, b.append("</div>").toString());
    }
}
