// Placeholder: implemented next.
