"""The workspace routes: the list side (urls_list) and the conversation side (urls_conversation)."""

from storedesk.workspace import urls_conversation, urls_list

app_name = "inbox"
urlpatterns = [*urls_list.urlpatterns, *urls_conversation.urlpatterns]
