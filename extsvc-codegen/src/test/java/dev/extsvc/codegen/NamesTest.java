package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import com.palantir.javapoet.NameAllocator;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void typeNamesAreUpperCamelFromAnySpelling() {
    assertThat(Names.upperCamel("SubmitApplication")).isEqualTo("SubmitApplication");
    assertThat(Names.upperCamel("submit-application")).isEqualTo("SubmitApplication");
    assertThat(Names.upperCamel("SUBMIT_APPLICATION")).isEqualTo("SubmitApplication");
    assertThat(Names.upperCamel("callbackURLForErrors")).isEqualTo("CallbackUrlForErrors");
    assertThat(Names.upperCamel("Acme Mortgages")).isEqualTo("AcmeMortgages");
  }

  @Test
  void memberNamesAreLowerCamelAndLeadingDigitsGetAnUnderscore() {
    assertThat(Names.lowerCamel("applicationOutcomeApproved"))
        .isEqualTo("applicationOutcomeApproved");
    assertThat(Names.lowerCamel("X-Request-Id")).isEqualTo("xRequestId");
    assertThat(Names.lowerCamel("/callbackUrlForOutcomes/approved"))
        .isEqualTo("callbackUrlForOutcomesApproved");
    assertThat(Names.lowerCamel("2fa")).isEqualTo("_2fa");
    assertThat(Names.lowerCamel("")).isEqualTo("type");
  }

  @Test
  void enumConstantsAreUpperSnakeCase() {
    assertThat(Names.constant("in-review")).isEqualTo("IN_REVIEW");
    assertThat(Names.constant("inReview")).isEqualTo("IN_REVIEW");
    assertThat(Names.constant("1st")).isEqualTo("_1ST");
    assertThat(Names.constant("")).isEqualTo("EMPTY");
  }

  @Test
  void allocatorsAvoidKeywordsReservedNamesAndClashes() {
    NameAllocator names = Names.allocator(Names.RESERVED_MEMBER_NAMES);
    assertThat(names.newName("class")).isEqualTo("class_");
    assertThat(names.newName("hashCode")).isEqualTo("hashCode_");
    assertThat(names.newName("fooBar")).isEqualTo("fooBar");
    assertThat(names.newName("fooBar")).isEqualTo("fooBar_");
    assertThat(Names.allocator(Set.of("String")).newName("String")).isEqualTo("String_");
  }
}
