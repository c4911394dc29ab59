package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceSecurityTest {
  static final String DOC =
      """
      openapi: 3.0.3
      info: {title: Secured, version: "1"}
      security:
        - bearer: []
      components:
        securitySchemes:
          bearer: {type: http, scheme: Bearer}
          key: {$ref: '#/components/x-shared/key'}
          oauth:
            type: oauth2
            flows:
              clientCredentials: {tokenUrl: 'https://auth.example/token', scopes: {}}
        x-shared:
          key: {type: apiKey, in: header, name: X-API-Key}
      paths:
        /a:
          get:
            operationId: usesTheDocumentsDefault
            responses: {'200': {description: ok}}
        /b:
          get:
            operationId: keyAndOauthOrNothing
            security:
              - key: []
                oauth: [read]
              - {}
            responses: {'200': {description: ok}}
        /c:
          get:
            operationId: open
            security: []
            responses: {'200': {description: ok}}
      """;

  @Test
  void operationsTakeTheDocumentsRequirementsUnlessTheyDeclareTheirOwn() {
    ServiceSecurity security =
        ServiceSecurity.of(Registrar.defaults().register(DOC, null).service());

    assertThat(security.schemes().keySet()).containsExactly("bearer", "key", "oauth");
    assertThat(security.requirements("usesTheDocumentsDefault"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.schemes())
                    .extracting(SecurityScheme::describe)
                    .containsExactly("http bearer"));
    assertThat(security.requirements("keyAndOauthOrNothing")).hasSize(2);
    assertThat(security.requirements("keyAndOauthOrNothing").get(0).schemes())
        .extracting(SecurityScheme::describe)
        .containsExactly("apiKey in header X-API-Key", "oauth2 clientCredentials");
    assertThat(security.requirements("keyAndOauthOrNothing").get(1).anonymous()).isTrue();
    assertThat(security.requirements("open")).isEmpty();
  }

  @Test
  void aServiceWithoutSecurityAsksForNothing() throws Exception {
    String acme =
        java.nio.file.Files.readString(java.nio.file.Path.of("../examples/acme-mortgages.json"));
    ServiceSecurity security =
        ServiceSecurity.of(Registrar.defaults().register(acme, null).service());

    assertThat(security.schemes()).isEmpty();
    assertThat(security.requirements("SubmitApplication")).isEmpty();
  }
}
