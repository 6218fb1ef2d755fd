package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reverts one change of a JSON document while keeping the changes made after it: a three-way merge of
 * {@code current} with the change {@code before -> changed} taken back. Used to undo a commit's change
 * that did not land, when game code went on changing the data while the commit retried.
 *
 * <p>Per value: untouched by the change, the current value stays; untouched since the change, the value
 * before it comes back; changed by both and a number, the change's delta is subtracted (a trade's 20 coins
 * come back on top of the 5 earned since); changed by both otherwise, the current value stays and the path
 * is reported as a conflict. Objects are merged field by field; arrays and other values are compared whole.
 */
final class JsonRevert {

    /** The merged document, and the paths where the change could not be taken back. */
    record Result(JsonNode result, List<String> conflicts) {}

    private JsonRevert() {}

    static Result revert(JsonNode current, JsonNode changed, JsonNode before) {
        List<String> conflicts = new ArrayList<>();
        JsonNode result = merge(current, changed, before, "$", conflicts);
        return new Result(result, conflicts);
    }

    /** Null stands for a missing field. */
    private static JsonNode merge(JsonNode current, JsonNode changed, JsonNode before, String path, List<String> conflicts) {
        if (Objects.equals(changed, before)) {
            return current;
        }
        if (Objects.equals(current, changed)) {
            return before;
        }
        if (current instanceof ObjectNode c && changed instanceof ObjectNode ch && before instanceof ObjectNode b) {
            ObjectNode out = c.deepCopy();
            Set<String> fields = new LinkedHashSet<>();
            ch.fieldNames().forEachRemaining(fields::add);
            b.fieldNames().forEachRemaining(fields::add);
            for (String f : fields) {
                JsonNode merged = merge(c.get(f), ch.get(f), b.get(f), path + "." + f, conflicts);
                if (merged == null) {
                    out.remove(f);
                } else {
                    out.set(f, merged);
                }
            }
            return out;
        }
        if (current != null && changed != null && before != null
                && current.isNumber() && changed.isNumber() && before.isNumber()) {
            if (current.isIntegralNumber() && changed.isIntegralNumber() && before.isIntegralNumber()) {
                long value = current.asLong() - (changed.asLong() - before.asLong());
                return current.isInt() && value == (int) value ? JsonNodeFactory.instance.numberNode((int) value)
                        : JsonNodeFactory.instance.numberNode(value);
            }
            return JsonNodeFactory.instance.numberNode(current.asDouble() - (changed.asDouble() - before.asDouble()));
        }
        conflicts.add(path);
        return current;
    }
}
