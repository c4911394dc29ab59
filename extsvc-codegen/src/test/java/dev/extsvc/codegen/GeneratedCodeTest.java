package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackNotHandledException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated code compiles without warnings and its types read and write JSON as the spec says.
 */
class GeneratedCodeTest {

  @ParameterizedTest
  @ValueSource(strings = {"acme-mortgages", "pet-store.yaml", "odd-names.yaml", "features.yaml"})
  void compilesWithoutWarnings(String spec) {
    InMemoryCompiler.compile(
        JavaClientGenerator.generate(Fixtures.register(Fixtures.spec(spec)), "gen"), Map.of());
  }

  @Test
  void schemaTypesReadAndWriteTheirJson() throws Exception {
    ClassLoader loader =
        InMemoryCompiler.compile(
            JavaClientGenerator.generate(Fixtures.register(Fixtures.spec("pet-store.yaml")), "gen"),
            Map.of("gen.Probe", PROBE));
    @SuppressWarnings("unchecked") // the probe is a Supplier<String> by construction
    Supplier<String> probe =
        (Supplier<String>) loader.loadClass("gen.Probe").getDeclaredConstructor().newInstance();
    // Jackson finds subtypes by name through the context class loader, as it would in a user's
    // application.
    Thread.currentThread().setContextClassLoader(loader);
    try {
      assertThat(probe.get()).isEqualTo("ok");
    } finally {
      Thread.currentThread().setContextClassLoader(GeneratedCodeTest.class.getClassLoader());
    }
  }

  @Test
  void integerEnumsAndAllOfHierarchiesReadAndWriteTheirJson() throws Exception {
    ClassLoader loader =
        InMemoryCompiler.compile(
            JavaClientGenerator.generate(Fixtures.register(Fixtures.spec("features.yaml")), "gen"),
            Map.of(
                "gen.Probe",
                """
            package gen;
            import com.fasterxml.jackson.databind.json.JsonMapper;
            public class Probe implements java.util.function.Supplier<String> {
              @Override
              public String get() {
                try {
                  var m = JsonMapper.builder().build();
                  Shipment s = m.readValue(
                      "{\\"weight\\":2.5,\\"priority\\":3,\\"retries\\":-1,\\"reference\\":42,"
                      + "\\"vehicle\\":{\\"kind\\":\\"truck\\",\\"plate\\":\\"AB-1\\",\\"axles\\":3}}",
                      Shipment.class);
                  Vehicle van = m.readValue("{\\"kind\\":\\"Van\\",\\"sliding\\":true}", Vehicle.class);
                  return s.priority() + " " + s.retries() + " " + s.reference() + " "
                      + (s.vehicle() instanceof Truck t ? "truck " + t.axles() + " " + t.plate() : s.vehicle()) + " "
                      + (van instanceof Van v ? "van " + v.sliding() : van) + " " + m.writeValueAsString(s);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            }
            """));
    @SuppressWarnings("unchecked") // the probe is a Supplier<String> by construction
    Supplier<String> probe =
        (Supplier<String>) loader.loadClass("gen.Probe").getDeclaredConstructor().newInstance();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      assertThat(probe.get())
          .isEqualTo(
              "3 -1 42 truck 3 AB-1 van true {\"weight\":2.5,\"priority\":3,\"retries\":-1,"
                  + "\"reference\":42,\"vehicle\":{\"kind\":\"truck\",\"plate\":\"AB-1\",\"axles\":3}}");
    } finally {
      Thread.currentThread().setContextClassLoader(GeneratedCodeTest.class.getClassLoader());
    }
  }

  @Test
  void callbackBaseClassHasNoStateAndSubclassesRoundTripTheirFields() throws Exception {
    ClassLoader loader =
        InMemoryCompiler.compile(
            JavaClientGenerator.generate(Fixtures.register(Fixtures.ACME), "gen"),
            Map.of(
                "gen.Approved",
                """
            package gen;
            import java.util.List;
            class Approved extends AcmeMortgages.SubmitApplication.Callback {
              String applicant = "Ann";
              transient Object cache = new Object();
              private Approved() {}
              @Override
              public void applicationOutcomeApproved(
                  List<AcmeMortgages.SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {}
            }
            """));
    Class<?> base = loader.loadClass("gen.AcmeMortgages$SubmitApplication$Callback");
    assertThat(
            Arrays.stream(base.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers())))
        .extracting(Field::getName)
        .isEmpty();
    assertThat(Modifier.isAbstract(base.getModifiers())).isTrue();
    // The runtime's state mapper: fields, not getters.
    ObjectMapper state =
        JsonMapper.builder()
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .build();
    Class<?> approved = loader.loadClass("gen.Approved");
    var ctor = approved.getDeclaredConstructor();
    ctor.setAccessible(true);
    Object handler = ctor.newInstance();
    String json = state.writeValueAsString(handler);
    assertThat(json).isEqualTo("{\"applicant\":\"Ann\"}");
    CallbackHandler back = (CallbackHandler) state.readValue(json, approved);
    back.onCallback("applicationOutcomeApproved", List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> back.onCallback("applicationOutcomeRejected", List.of()))
        .isInstanceOf(CallbackNotHandledException.class)
        .hasMessage("Callback not handled: applicationOutcomeRejected");
  }

  private static final String PROBE =
      """
      package gen;

      import com.fasterxml.jackson.databind.ObjectMapper;
      import com.fasterxml.jackson.databind.SerializationFeature;
      import com.fasterxml.jackson.databind.json.JsonMapper;
      import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
      import java.time.LocalDate;
      import java.util.function.Supplier;

      public class Probe implements Supplier<String> {
        @Override
        public String get() {
          try {
            ObjectMapper m = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
            Pet pet = m.readValue(
                "{\\"petType\\":\\"dog\\",\\"name\\":\\"Rex\\",\\"size\\":\\"x-large\\",\\"born\\":\\"2020-02-29\\"}",
                Pet.class);
            check(pet instanceof Dog d && d.size() == Size.X_LARGE && d.born().equals(LocalDate.of(2020, 2, 29)),
                "discriminated oneOf, enum, date: " + pet);
            String ownerJson = "{\\"id\\":\\"0b9a3c1e-2f5d-4c1e-9a7b-5d1c2e3f4a5b\\",\\"name\\":\\"Ann\\","
                + "\\"photo\\":\\"AQID\\",\\"tags\\":{\\"a\\":\\"b\\"},"
                + "\\"pets\\":[{\\"petType\\":\\"cat\\",\\"name\\":\\"Tom\\",\\"lives\\":9}],"
                + "\\"address\\":{\\"city\\":\\"Lisbon\\",\\"geo\\":{\\"lat\\":38.7}},"
                + "\\"contact\\":{\\"phone\\":\\"123\\"},\\"preference\\":\\"none\\","
                + "\\"extras\\":{\\"note\\":\\"n\\",\\"x\\":1},\\"anything\\":[1,2],"
                + "\\"referrer\\":{\\"label\\":\\"a\\",\\"children\\":[{\\"label\\":\\"b\\"}]}}";
            Owner owner = m.readValue(ownerJson, Owner.class);
            check(owner.pets().get(0) instanceof Cat c && c.lives() == 9, "list of a union: " + owner.pets());
            check(owner.contact() instanceof Owner.Contact.Phone p && p.phone().equals("123"),
                "anyOf by deduction: " + owner.contact());
            check(owner.extras().additionalProperties().get("x") == 1L, "additionalProperties: " + owner.extras());
            check(owner.photo().length == 3 && owner.preference() == Owner.Preference.NONE
                && owner.tags().get("a").equals("b") && owner.address().geo().lat().doubleValue() == 38.7
                && owner.referrer().children().get(0).label().equals("b") && owner.anything().isArray(),
                "binary, inline enum, map, nested objects, recursion, free form: " + owner);
            check(m.readTree(m.writeValueAsString(owner)).equals(m.readTree(ownerJson)),
                "written back: " + m.writeValueAsString(owner));
            try {
              m.readValue("{\\"name\\":\\"no id\\"}", Owner.class);
              check(false, "a missing required property was accepted");
            } catch (Exception expected) {
              // required
            }
            check(m.writeValueAsString(new Node(null, null)).equals("{}"), "optional nulls are left out");
            return "ok";
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }

        private static void check(boolean condition, String what) {
          if (!condition) {
            throw new AssertionError(what);
          }
        }
      }
      """;
}
