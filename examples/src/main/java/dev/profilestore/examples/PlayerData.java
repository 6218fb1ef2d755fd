package dev.profilestore.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * A player's saved data. ProfileStore stores it as JSON with Jackson, so its fields are public (or have getters
 * and setters): a class with only private fields fails to save with "No serializer found".
 */
public class PlayerData {
    /** The player's coins. */
    public int coins;
    /** Items bought, by name. */
    public List<String> items = new ArrayList<>();
}
