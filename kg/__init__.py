"""paper-kg: extract ML entities from paper abstracts and link papers through them."""
