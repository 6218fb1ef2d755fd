package dev.profilestore.console;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** Renders a JSON document as a tree of collapsible HTML elements, without any script. */
final class JsonTree {

    private JsonTree() {}

    static String render(JsonNode node) {
        StringBuilder b = new StringBuilder("<div class=\"json\">");
        node(b, null, node, 0);
        return b.append("</div>").toString();
    }

    private static void node(StringBuilder b, String name, JsonNode n, int depth) {
        String label = name == null ? "" : "<span class=\"k\">" + Html.esc(name) + "</span>: ";
        if (n == null || n.isMissingNode()) {
            b.append("<div>").append(label).append("<i>(none)</i></div>");
        } else if (n.isContainerNode()) {
            b.append("<details").append(depth < 3 ? " open" : "").append("><summary>").append(label)
                    .append(n.isObject() ? "{" + n.size() + "}" : "[" + n.size() + "]").append("</summary>");
            if (n.isObject()) {
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    node(b, e.getKey(), e.getValue(), depth + 1);
                }
            } else {
                for (int i = 0; i < n.size(); i++) {
                    node(b, Integer.toString(i), n.get(i), depth + 1);
                }
            }
            b.append("</details>");
        } else {
            b.append("<div>").append(label).append("<span class=\"v\">").append(Html.esc(n.toString()))
                    .append("</span></div>");
        }
    }
}
