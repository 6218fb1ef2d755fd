package dev.profilestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The differences between two JSON documents, path by path (JSON Pointer), for the versions page. */
final class JsonDiff {

    private JsonDiff() {}

    /** How a path differs. */
    enum Kind { ADDED, REMOVED, CHANGED }

    /**
     * One difference.
     *
     * @param path the JSON Pointer of the value
     * @param kind how it differs
     * @param before the value in the first document (missing when added)
     * @param after the value in the second document (missing when removed)
     */
    record Change(String path, Kind kind, JsonNode before, JsonNode after) {}

    static List<Change> diff(JsonNode a, JsonNode b) {
        List<Change> out = new ArrayList<>();
        walk("", a == null ? MissingNode.getInstance() : a, b == null ? MissingNode.getInstance() : b, out);
        return out;
    }

    private static void walk(String path, JsonNode a, JsonNode b, List<Change> out) {
        if (a.equals(b)) {
            return;
        }
        if (a.isMissingNode()) {
            out.add(new Change(path.isEmpty() ? "/" : path, Kind.ADDED, a, b));
        } else if (b.isMissingNode()) {
            out.add(new Change(path.isEmpty() ? "/" : path, Kind.REMOVED, a, b));
        } else if (a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            for (String n : names) {
                walk(path + "/" + n.replace("~", "~0").replace("/", "~1"), a.path(n), b.path(n), out);
            }
        } else if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                walk(path + "/" + i, a.path(i), b.path(i), out);
            }
        } else {
            out.add(new Change(path.isEmpty() ? "/" : path, Kind.CHANGED, a, b));
        }
    }
}
