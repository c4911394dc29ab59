package dev.extsvc.spring;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.HandlerFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Re-creates stored handlers as beans of the application, so they get its dependencies, then reads
 * their stored state into them. A handler type that is a bean must be prototype-scoped (each
 * callback gets its own instance with its own invocation's state); a type that is not a bean is
 * instantiated and autowired by the container. Dependencies belong in {@code transient} fields (or
 * are injected by constructor into them): non-transient fields are the handler's stored state.
 */
final class BeanHandlerFactory implements HandlerFactory {
  private final ConfigurableListableBeanFactory beans;

  BeanHandlerFactory(ConfigurableListableBeanFactory beans) {
    this.beans = beans;
  }

  @Override
  public CallbackHandler create(Class<? extends CallbackHandler> type, String stateJson)
      throws Exception {
    String[] names = beanNamesOf(beans, type);
    CallbackHandler handler =
        switch (names.length) {
          case 0 -> beans.createBean(type);
          case 1 -> beans.getBean(names[0], type);
          default ->
              throw new ExtsvcException(
                  "handler type "
                      + type.getName()
                      + " is the type of several beans "
                      + Arrays.toString(names)
                      + "; make it one");
        };
    return HandlerFactory.restoreState(handler, stateJson);
  }

  /** The beans whose own class is exactly {@code type} (not a subclass), by name. */
  static String[] beanNamesOf(ConfigurableListableBeanFactory beans, Class<?> type) {
    return Arrays.stream(beans.getBeanNamesForType(type, true, false))
        .filter(
            name -> {
              Class<?> actual = beans.getType(name);
              return actual != null && ClassUtils.getUserClass(actual) == type;
            })
        .toArray(String[]::new);
  }

  /**
   * Every handler bean of the application, by name; refuses singletons, which would share one
   * invocation's state with all others.
   */
  static Map<String, Class<? extends CallbackHandler>> handlerBeans(
      ConfigurableListableBeanFactory beans) {
    Map<String, Class<? extends CallbackHandler>> found = new LinkedHashMap<>();
    for (String name : beans.getBeanNamesForType(CallbackHandler.class, true, false)) {
      Class<?> type = beans.getType(name);
      if (type == null) {
        continue;
      }
      if (!beans.isPrototype(name)) {
        throw new ExtsvcConfigException(
            "bean '" + name + "'",
            "handler "
                + type.getName()
                + " must be prototype-scoped (@Scope(\"prototype\")): each callback gets its own instance carrying its"
                + " invocation's stored state");
      }
      found.put(name, ClassUtils.getUserClass(type).asSubclass(CallbackHandler.class));
    }
    return found;
  }
}
