package com.example.contacts;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The application's own Contacts table. */
@Repository
public class Contacts {
  /** One row of the table. */
  public record Contact(String name, String address, String applicationNumber) {}

  private final JdbcClient jdbc;

  Contacts(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void add(Contact contact) {
    jdbc.sql("INSERT INTO contacts (name, address, application_number) VALUES (?, ?, ?)")
        .params(contact.name(), contact.address(), contact.applicationNumber())
        .update();
  }

  public List<Contact> all() {
    return jdbc.sql("SELECT name, address, application_number FROM contacts ORDER BY id")
        .query(Contact.class)
        .list();
  }
}
