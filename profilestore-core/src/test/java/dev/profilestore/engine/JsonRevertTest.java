package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonRevertTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private JsonNode json(String s) throws Exception {
        return mapper.readTree(s.replace('\'', '"'));
    }

    @Test
    void aTradeIsTakenBack_andWhatWasEarnedSinceIsKept() throws Exception {
        var before = json("{'coins':100,'items':['sword'],'name':'ann'}");
        var changed = json("{'coins':80,'items':['sword','shield'],'name':'ann'}");
        var current = json("{'coins':85,'items':['sword','shield'],'name':'bob'}");

        var revert = JsonRevert.revert(current, changed, before);

        assertThat(revert.result()).isEqualTo(json("{'coins':105,'items':['sword'],'name':'bob'}"));
        assertThat(revert.conflicts()).isEmpty();
    }

    @Test
    void aValueChangedByBothThatIsNotANumber_keepsTheCurrentOne_andIsReported() throws Exception {
        var revert = JsonRevert.revert(json("{'title':'king','n':{'x':1}}"), json("{'title':'duke','n':{'x':1}}"),
                json("{'title':'earl','n':{'x':1}}"));

        assertThat(revert.result()).isEqualTo(json("{'title':'king','n':{'x':1}}"));
        assertThat(revert.conflicts()).containsExactly("$.title");
    }

    @Test
    void fieldsTheChangeAddedOrRemoved_areRemovedOrRestored() throws Exception {
        var revert = JsonRevert.revert(json("{'added':1,'kept':2}"), json("{'added':1,'kept':2}"),
                json("{'removed':3,'kept':2}"));

        assertThat(revert.result()).isEqualTo(json("{'removed':3,'kept':2}"));
    }
}
