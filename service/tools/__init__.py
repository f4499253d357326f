"""The three webhook tools the voice agents call: search, get and create Salesforce records."""
