package dev.extsvc.spec;

import static dev.extsvc.spec.Documents.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The component schemas a registration keeps for code generators, inlined by the same rules as the
 * model's.
 */
class ComponentSchemasTest {

  private static final String PETS =
      """
      openapi: 3.0.3
      info: {title: Pets, version: '1'}
      paths:
        /pets:
          post:
            operationId: addPet
            requestBody:
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Pet'}
            responses:
              '201': {description: added}
      components:
        schemas:
          Pet:
            type: object
            properties:
              name: {type: string}
              owner: {$ref: '#/components/schemas/Owner'}
              billing: {$ref: '#/components/schemas/Address', description: Where invoices go}
              tag: {$ref: '#/components/schemas/Tag'}
            example: {owner: {$ref: '#/components/schemas/Owner'}}
            x-origin: {$ref: '#/components/schemas/Owner'}
          Owner:
            type: object
            properties:
              home: {$ref: '#/components/schemas/Address'}
              pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}
          Address:
            description: A postal address
            type: object
            properties:
              street: {type: string}
          Tag: {$ref: '#/components/schemas/Tag%20Name'}
          Tag Name: {type: string, enum: [cat, dog]}
          a/b: {type: integer}
          Limit: {$ref: '#/components/parameters/limit/schema'}
        parameters:
          limit: {name: limit, in: query, schema: {type: integer, maximum: 100}}
      """;

  private static ComponentSchemas pets() {
    Registration r = register(PETS);
    assertThat(r.report().errors()).isEmpty();
    return r.service().components();
  }

  @Test
  void aRegisteredServiceKeepsItsComponentSchemasByNameInDocumentOrder() {
    assertThat(pets().names())
        .containsExactly("Pet", "Owner", "Address", "Tag", "Tag Name", "a/b", "Limit");
    assertThat(pets().schema("Nope")).isEmpty();
    assertThat(ComponentSchemas.none().names()).isEmpty();
  }

  @Test
  void eachComponentIsInlinedAndItsDeclarationKeepsItsReferences() {
    ComponentSchemas components = pets();
    JsonNode pet = components.schema("Pet").orElseThrow();
    assertThat(pet.at("/properties/owner/properties/home/properties/street/type").asText())
        .isEqualTo("string");
    assertThat(pet.at("/properties/tag/enum/1").asText())
        .as("a percent-encoded reference")
        .isEqualTo("dog");
    assertThat(components.declared("Pet").orElseThrow().at("/properties/owner/$ref").asText())
        .isEqualTo("#/components/schemas/Owner");
  }

  @Test
  void onlyTheComponentSchemasAreKeptSoAReferenceToElsewhereStaysAReference() {
    assertThat(pets().schema("Limit").orElseThrow().get("$ref").asText())
        .isEqualTo("#/components/parameters/limit/schema");
  }

  @Test
  void theComponentsAreInlinedByTheRulesOfTheOperationsSchemas() {
    ServiceDefinition service = register(PETS).service();
    JsonNode body = service.operation("addPet").orElseThrow().requestBody().schema();
    assertThat(service.components().schema("Pet")).hasValue(body);
  }

  @Test
  void aReferenceBackIntoAnEnclosingSchemaStaysAReference() {
    JsonNode pet = pets().schema("Pet").orElseThrow();
    assertThat(pet.at("/properties/owner/properties/pets/items/$ref").asText())
        .isEqualTo("#/components/schemas/Pet");
  }

  @Test
  void aComponentInsideAnotherIsItsSharedExpansionWhichMayUnrollARecursionOnceMore() {
    ComponentSchemas components = pets();
    JsonNode owner = components.schema("Owner").orElseThrow();
    assertThat(owner.at("/properties/pets/items")).isSameAs(components.schema("Pet").orElseThrow());
    assertThat(
            owner.at("/properties/pets/items/properties/owner/properties/pets/items/$ref").asText())
        .isEqualTo("#/components/schemas/Pet");
  }

  @Test
  void membersBesideAReferenceRefineItWithoutChangingTheSharedSchema() {
    ComponentSchemas components = pets();
    JsonNode pet = components.schema("Pet").orElseThrow();
    assertThat(pet.at("/properties/billing/description").asText()).isEqualTo("Where invoices go");
    assertThat(pet.at("/properties/billing/properties/street/type").asText()).isEqualTo("string");
    assertThat(components.schema("Address").orElseThrow().get("description").asText())
        .isEqualTo("A postal address");
    assertThat(pet.at("/properties/owner/properties/home/description").asText())
        .isEqualTo("A postal address");
  }

  @Test
  void referencesInExamplesAndExtensionsAreDataAndStayAsWritten() {
    JsonNode pet = pets().schema("Pet").orElseThrow();
    assertThat(pet.at("/example/owner/$ref").asText()).isEqualTo("#/components/schemas/Owner");
    assertThat(pet.at("/x-origin/$ref").asText()).isEqualTo("#/components/schemas/Owner");
  }

  @Test
  void aSchemaUsedInManyPlacesIsInlinedOnceAndShared() {
    // each level refers to the one below twice: written out, level 40 has 2^40 nodes
    StringBuilder schemas =
        new StringBuilder("L0: {type: object, properties: {v: {type: string}}}\n");
    for (int i = 1; i <= 40; i++) {
      schemas
          .append("L")
          .append(i)
          .append(": {type: object, properties: {left: {$ref: '#/components/schemas/L")
          .append(i - 1)
          .append("'}, right: {$ref: '#/components/schemas/L")
          .append(i - 1)
          .append("'}}}\n");
    }
    Registration r =
        register(
            """
        openapi: 3.0.3
        info: {title: Deep, version: '1'}
        paths: {}
        components:
          schemas:
        """
                + schemas.toString().indent(4));
    assertThat(r.report().errors()).as("registration inlines only what operations use").isEmpty();

    JsonNode top =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> r.service().components().schema("L40").orElseThrow());
    assertThat(top.at("/properties/left"))
        .isSameAs(top.at("/properties/right"))
        .isSameAs(r.service().components().schema("L39").orElseThrow());
    assertThat(top.at("/properties/left/properties/right/properties/left/type").asText())
        .isEqualTo("object");
  }

  @Test
  void pastTheBoundAReferenceWithoutASharedExpansionStaysAReference() {
    // every component refers to every other: each path through them is its own, so nothing can be
    // shared
    StringBuilder schemas = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      schemas.append("K").append(i).append(": {type: object, properties: {");
      for (int j = 0; j < 10; j++) {
        schemas
            .append(j == 0 ? "" : ", ")
            .append("k")
            .append(j)
            .append(": {$ref: '#/components/schemas/K")
            .append(j)
            .append("'}");
      }
      schemas.append("}}\n");
    }
    ComponentSchemas components =
        register(
                """
        openapi: 3.0.3
        info: {title: Circles, version: '1'}
        paths: {}
        components:
          schemas:
        """
                    + schemas.toString().indent(4))
            .service()
            .components()
            .withMaxInlinedNodes(20_000);

    JsonNode k1 =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> components.schema("K1").orElseThrow());
    assertThat(k1.at("/properties/k2/$ref").asText()).isEqualTo("#/components/schemas/K2");
    assertThat(k1.at("/properties/k1/$ref").asText()).isEqualTo("#/components/schemas/K1");
    assertThatThrownBy(() -> components.withMaxInlinedNodes(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aReferenceNamesAComponentOnlyWhenItPointsAtOne() {
    assertThat(ComponentSchemas.nameOf("#/components/schemas/Pet")).isEqualTo("Pet");
    assertThat(ComponentSchemas.nameOf("#/components/schemas/a~1b")).isEqualTo("a/b");
    assertThat(ComponentSchemas.nameOf("#/components/schemas/Tag%20Name")).isEqualTo("Tag Name");
    assertThat(ComponentSchemas.nameOf("#/components/schemas/Pet/properties/name")).isNull();
    assertThat(ComponentSchemas.nameOf("#/components/responses/Pet")).isNull();
    assertThat(ComponentSchemas.nameOf("pets.yaml#/components/schemas/Pet")).isNull();
    assertThat(ComponentSchemas.nameOf(null)).isNull();
  }

  @Test
  void twoRegistrationsOfOneDocumentAreEqual() {
    assertThat(register(PETS).service()).isEqualTo(register(PETS).service());
    assertThat(pets()).hasSameHashCodeAs(pets()).isNotEqualTo(pets().withMaxInlinedNodes(5));
  }
}
