package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceMapTest {

  @Test
  void mapsPointersToTheLinesOfJsonMembersAndElements() throws Exception {
    String json = "{\n  \"a\": {\n    \"b/c\": [\n      1,\n      {\"d\": 2}\n    ]\n  }\n}";
    SourceMap map = SourceMap.of(json, new JsonFactory());
    assertThat(map.line("")).isEqualTo(1);
    assertThat(map.line("/a")).isEqualTo(2);
    assertThat(map.line("/a/b~1c")).isEqualTo(3);
    assertThat(map.line("/a/b~1c/0")).isEqualTo(4);
    assertThat(map.line("/a/b~1c/1/d")).isEqualTo(5);
  }

  @Test
  void mapsPointersInYamlAndFallsBackToTheNearestAncestor() throws Exception {
    String yaml = "a:\n  b:\n    - x\n    - y: 1\n      z: 2\n";
    SourceMap map = SourceMap.of(yaml, new YAMLFactory());
    assertThat(map.line("/a/b")).isEqualTo(2);
    assertThat(map.line("/a/b/1/z")).isEqualTo(5);
    assertThat(map.line("/a/b/1/missing/deeper")).isEqualTo(4);
    assertThat(SourceMap.empty().line("/a")).isZero();
  }

  @Test
  void locatesSeveralPointersInOnePass() {
    String json = "{\n \"a\": {\"x\": [1, 2]},\n \"b\": {\n  \"c\": 1\n },\n \"d\": 2\n}";
    Map<String, Integer> lines =
        SourceMap.of(json, new JsonFactory()).lines(List.of("/b/c", "/d", "/a/x/1/gone"));
    assertThat(lines)
        .containsOnly(Map.entry("/b/c", 4), Map.entry("/d", 6), Map.entry("/a/x/1/gone", 2));
  }
}
