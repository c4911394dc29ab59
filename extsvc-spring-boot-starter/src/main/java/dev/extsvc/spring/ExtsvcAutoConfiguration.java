package dev.extsvc.spring;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.Registration;
import dev.extsvc.store.jdbc.Dialect;
import dev.extsvc.store.jdbc.JdbcStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.RuntimeBeanReference;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ClassUtils;

/**
 * Runs extsvc inside a Spring Boot application from its {@code extsvc.*} properties: the store on
 * the application's DataSource (else an SQLite file), the runtime with handlers resolved as beans
 * and run in the application's transactions, the callback endpoint on the application's server,
 * generated clients as beans, and, when Actuator is present, a health indicator and Micrometer
 * meters.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      // the application's OpenTelemetry (the Micrometer Tracing bridge's SDK), when it has one
      "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
      "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration"
    })
@EnableConfigurationProperties(ExtsvcProperties.class)
public class ExtsvcAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(ExtsvcAutoConfiguration.class);

  /**
   * The store, and whether it lives on the application's DataSource where handler transactions can
   * join it.
   */
  record ExtsvcStore(JdbcStore store, boolean sharesDataSource) implements AutoCloseable {
    @Override
    public void close() {
      store.close();
    }
  }

  @Bean(destroyMethod = "close")
  ExtsvcStore extsvcStore(ExtsvcProperties properties, ObjectProvider<DataSource> dataSources) {
    DataSource dataSource = dataSources.getIfUnique();
    var type = properties.store().type();
    if (type == ExtsvcProperties.StoreType.DATASOURCE && dataSource == null) {
      throw new ExtsvcConfigException(
          "extsvc.store.type",
          "is DATASOURCE, but the application has no single" + " DataSource bean");
    }
    if (type == ExtsvcProperties.StoreType.SQLITE || dataSource == null) {
      Path file = Path.of(properties.store().sqliteFile());
      log.info("extsvc store: SQLite file {}", file.toAbsolutePath());
      return new ExtsvcStore(JdbcStore.sqlite(file), false);
    }
    Dialect dialect = dialectOf(dataSource);
    log.info("extsvc store: the application's DataSource ({}), tables extsvc_*", dialect);
    // A store that writes on a thread of its own (SQLite) cannot join the handler's transaction.
    JdbcStore store = JdbcStore.create(new JoiningDataSource(dataSource), dialect);
    return new ExtsvcStore(store, store.writesOnCallingThread());
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ExternalServices externalServices(
      ExtsvcProperties properties,
      ExtsvcStore store,
      ConfigurableListableBeanFactory beans,
      ObjectProvider<PlatformTransactionManager> transactions,
      ObjectProvider<MeterRegistry> meterRegistries,
      ObjectProvider<OpenTelemetry> openTelemetries,
      Environment environment,
      ResourceLoader resources) {
    var builder =
        ExternalServices.builder()
            .store(store.store())
            .publicBaseUrl(publicBaseUrl(properties, environment))
            .handlerFactory(new BeanHandlerFactory(beans))
            .handlerTransaction(
                new SpringHandlerTransaction(transactions.getIfUnique(), store.sharesDataSource()));
    // extsvc's meters in the application's registry (extsvc.*), its spans with the application's
    // tracer: one trace from the request that invoked to the handler run days later
    MeterRegistry meterRegistry = meterRegistries.getIfUnique();
    if (meterRegistry != null) {
      builder.meterRegistry(meterRegistry);
    }
    OpenTelemetry openTelemetry = openTelemetries.getIfUnique();
    if (openTelemetry != null) {
      builder.openTelemetry(openTelemetry);
    }
    Settings.apply(properties, builder);
    BeanHandlerFactory.handlerBeans(beans).values().forEach(builder::handlerType);
    ExternalServices services = builder.build();
    try {
      properties.services().forEach((key, service) -> register(services, key, service, resources));
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
    return services;
  }

  private static void register(
      ExternalServices services,
      String key,
      ExtsvcProperties.Service service,
      ResourceLoader resources) {
    if (service.spec() == null) {
      return; // registered earlier and kept in the store, or registered by the application itself
    }
    String property = "extsvc.services." + key + ".spec";
    Resource resource = resources.getResource(service.spec());
    String document;
    try {
      document = resource.getContentAsString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ExtsvcConfigException(
          property, "cannot read " + service.spec() + " (" + e.getClass().getSimpleName() + ")");
    }
    Registration registration = services.register(document, Settings.serviceName(key, service));
    if (registration.service() == null) {
      throw new ExtsvcConfigException(
          property, service.spec() + " does not register: " + registration.report().errors());
    }
  }

  private static java.util.function.Supplier<String> publicBaseUrl(
      ExtsvcProperties properties, Environment environment) {
    String configured = properties.publicBaseUrl();
    if (configured != null && !configured.isBlank()) {
      try {
        java.net.URI uri = java.net.URI.create(configured);
        if (uri.getScheme() == null || uri.getHost() == null) {
          throw new IllegalArgumentException("not absolute");
        }
      } catch (IllegalArgumentException e) {
        throw new ExtsvcConfigException(
            "extsvc.public-base-url",
            "'" + configured + "' is not an absolute URL such as https://app.example.com");
      }
      return () -> configured;
    }
    log.warn(
        "extsvc.public-base-url is not set: callback URLs will point to this application on 127.0.0.1,"
            + " which only senders on this machine can reach");
    return () -> {
      String port = environment.getProperty("local.server.port");
      if (port == null) {
        throw new ExtsvcException(
            "extsvc.public-base-url is not set and the application's server has not"
                + " started yet, so no callback URL can be written");
      }
      return "http://127.0.0.1:"
          + port
          + environment.getProperty("server.servlet.context-path", "");
    };
  }

  static Dialect dialectOf(DataSource dataSource) {
    try {
      return Dialect.of(dataSource);
    } catch (StoreUnavailableException e) {
      throw new ExtsvcConfigException(
          "extsvc.store",
          "cannot reach the application's DataSource to choose the"
              + " store's dialect: "
              + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
    } catch (IllegalArgumentException e) {
      throw new ExtsvcConfigException(
          "extsvc.store.type",
          e.getMessage()
              + ". Set extsvc.store.type=SQLITE to keep"
              + " it in an SQLite file of its own (extsvc.store.sqlite-file)");
    }
  }

  /** Makes each configured {@code extsvc.services.*.client} a bean, bound to its service's name. */
  @Bean
  static BeanDefinitionRegistryPostProcessor extsvcClients(Environment environment) {
    return new BeanDefinitionRegistryPostProcessor() {
      @Override
      public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Map<String, ExtsvcProperties.Service> services =
            Binder.get(environment)
                .bind(
                    "extsvc.services", Bindable.mapOf(String.class, ExtsvcProperties.Service.class))
                .orElse(Map.of());
        services.forEach(
            (key, service) -> {
              if (service.client() == null || service.client().isBlank()) {
                return;
              }
              Class<?> type;
              try {
                type =
                    ClassUtils.forName(
                        service.client(), ExtsvcAutoConfiguration.class.getClassLoader());
              } catch (ClassNotFoundException | LinkageError e) {
                throw new ExtsvcConfigException(
                    "extsvc.services." + key + ".client",
                    "no class "
                        + service.client()
                        + " (is the client generated into this application?)");
              }
              var definition = new RootBeanDefinition(type);
              definition
                  .getConstructorArgumentValues()
                  .addIndexedArgumentValue(0, new RuntimeBeanReference(ExternalServices.class));
              definition
                  .getConstructorArgumentValues()
                  .addIndexedArgumentValue(1, Settings.serviceName(key, service));
              registry.registerBeanDefinition("extsvcClient." + key, definition);
            });
      }

      @Override
      public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}
    };
  }

  /** The callback endpoint on the application's servlet container. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "jakarta.servlet.http.HttpServlet")
  static class CallbackEndpoint {
    @Bean
    ServletRegistrationBean<CallbackServlet> extsvcCallbackEndpoint(ExternalServices services) {
      // fully qualified: this configuration class is called CallbackEndpoint too
      var endpoint = services.callbackEndpoint();
      var registration =
          new ServletRegistrationBean<>(
              new CallbackServlet(endpoint), services.callbackPath() + "/*");
      registration.setName("extsvcCallbacks");
      return registration;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Figures {
    @Bean
    StoreFigures extsvcStoreFigures(ExtsvcStore store) {
      return new StoreFigures(store.store());
    }
  }

  /** Health: store reachable, sweeper alive, pending and overdue counts. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "extsvcHealthIndicator")
    ExtsvcHealthIndicator extsvcHealthIndicator(ExternalServices services, StoreFigures figures) {
      return new ExtsvcHealthIndicator(services, figures);
    }
  }
}
