package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.spec.ParserMessages.Segment;
import org.junit.jupiter.api.Test;

class ParserMessagesTest {

  @Test
  void splitsSwaggerParserLocationsIntoSegments() {
    assertThat(ParserMessages.segments("paths.'/a/{id}'(post).parameters.[id].in"))
        .containsExactly(
            new Segment("paths", false),
            new Segment("/a/{id}", false),
            new Segment("post", false),
            new Segment("parameters", false),
            new Segment("id", true),
            new Segment("in", false));
  }

  @Test
  void walksALocationThroughTheDocumentAsFarAsItExists() throws Exception {
    var root =
        new ObjectMapper()
            .readTree(
                "{\"paths\":{\"/a/{id}\":{\"post\":{\"parameters\":[{\"name\":\"x\"},{\"name\":\"id\",\"in\":\"paht\"}]}}}}");
    assertThat(
            ParserMessages.walk(
                root, ParserMessages.segments("paths.'/a/{id}'(post).parameters.[id].in")))
        .isEqualTo(new ParserMessages.Walk("/paths/~1a~1{id}/post/parameters/1/in", 0));
    assertThat(
            ParserMessages.walk(root, ParserMessages.segments("paths.'/a/{id}'(post).responses")))
        .isEqualTo(new ParserMessages.Walk("/paths/~1a~1{id}/post", 1));
  }
}
