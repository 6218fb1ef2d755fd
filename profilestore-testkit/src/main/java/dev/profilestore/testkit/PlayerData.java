package dev.profilestore.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The profile document the scenarios use: a mutable POJO, as most game servers have. */
public final class PlayerData {
    public int coins;
    public List<String> items = new ArrayList<>();
    public Map<String, Integer> stats = new LinkedHashMap<>();
    public Settings settings = new Settings();

    /** A nested object, for reconcile. */
    public static final class Settings {
        public String language = "en";
        public Boolean music = Boolean.TRUE;
    }
}
