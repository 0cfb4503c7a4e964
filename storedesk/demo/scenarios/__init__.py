"""Demo scenarios, one module per language; storedesk.demo.data joins them."""
