using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UnlearnDashboard.Compute.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddJobLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "jobs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "DeadlineSeconds",
                table: "jobs",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseExpiresAt",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "jobs",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "DeadlineSeconds",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LeaseExpiresAt",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "jobs");
        }
    }
}
