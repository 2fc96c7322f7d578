// Package customsender sends the messages of Cognito's custom email and SMS sender triggers.
package customsender
