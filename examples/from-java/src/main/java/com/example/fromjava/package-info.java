/** The README's "From Java" example as a complete program. */
@NullMarked
package com.example.fromjava;

import org.jspecify.annotations.NullMarked;
