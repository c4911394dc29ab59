package com.example.contacts;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The seed's story inside a Spring Boot application: mortgage applications go to Acme Mortgages
 * through the generated client, and each approved applicant becomes a Contact in the application's
 * own database.
 */
@SpringBootApplication
public class ContactsApplication {
  public static void main(String[] args) {
    SpringApplication.run(ContactsApplication.class, args);
  }
}
